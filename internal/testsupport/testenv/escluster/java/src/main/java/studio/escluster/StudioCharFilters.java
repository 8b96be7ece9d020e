package studio.escluster;

import static studio.escluster.AnalysisFactories.charFilter;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;

/**
 * The char filters of Elasticsearch's analysis-common module, on Lucene's
 * implementations. The server itself has none.
 */
final class StudioCharFilters {
  private StudioCharFilters() {}

  static Map<String, AnalysisProvider<CharFilterFactory>> configurable() {
    Map<String, AnalysisProvider<CharFilterFactory>> m = new TreeMap<>();
    m.put("html_strip", (is, env, name, s) -> {
      List<String> escaped = s.getAsList("escaped_tags");
      Set<String> tags = escaped.isEmpty() ? null : new HashSet<>(escaped);
      return charFilter(name, false, in -> new HTMLStripCharFilter(in, tags));
    });
    m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
      List<String> rules = Analysis.getWordList(env, s, "mappings");
      if (rules == null) {
        throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
      }
      NormalizeCharMap map = mappings(rules);
      return charFilter(name, true, in -> new MappingCharFilter(map, in));
    }));
    m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
      Pattern p = AnalysisParams.pattern(s, null, name, "char filter", "pattern_replace");
      String replacement = s.get("replacement", "");
      return charFilter(name, true, in -> new PatternReplaceCharFilter(p, replacement, in));
    }));
    return m;
  }

  static List<PreConfiguredCharFilter> preConfigured() {
    return List.of(PreConfiguredCharFilter.singleton("html_strip", false, HTMLStripCharFilter::new));
  }

  /** Mapping rules, {@code "from => to"}, with backslash escapes on both sides. */
  private static NormalizeCharMap mappings(List<String> rules) {
    NormalizeCharMap.Builder b = new NormalizeCharMap.Builder();
    for (String rule : rules) {
      int arrow = rule.lastIndexOf("=>");
      if (arrow < 0) {
        throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
      }
      String from = AnalysisParams.unescape(rule.substring(0, arrow).trim());
      String to = AnalysisParams.unescape(rule.substring(arrow + 2).trim());
      if (from.isEmpty()) {
        throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]. Illegal mapping.");
      }
      b.add(from, to);
    }
    return b.build();
  }
}
