package studio.escluster;

import static studio.escluster.AnalysisFactories.analyzer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.SimpleAnalyzer;
import org.apache.lucene.analysis.core.StopAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.FingerprintFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;

/**
 * The analyzer types of Elasticsearch's analysis-common module. The server
 * has the {@code standard} type, and pre-built {@code standard},
 * {@code simple}, {@code whitespace}, {@code stop}, {@code keyword} and
 * {@code classic} analyzers usable by name, but not as types.
 */
final class StudioAnalyzers {
  private StudioAnalyzers() {}

  static Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> configurable() {
    Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> m = new TreeMap<>();
    m.put("whitespace", (is, env, name, s) -> analyzer(name, s, new WhitespaceAnalyzer()));
    m.put("simple", (is, env, name, s) -> analyzer(name, s, new SimpleAnalyzer()));
    m.put("keyword", (is, env, name, s) -> analyzer(name, s, new KeywordAnalyzer()));
    m.put("stop", (is, env, name, s) ->
        analyzer(name, s, new StopAnalyzer(Analysis.parseStopWords(env, s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET))));
    m.put("pattern", (is, env, name, s) -> {
      Pattern p = AnalysisParams.pattern(s, "\\W+", name, "analyzer", "pattern");
      boolean lowercase = s.getAsBoolean("lowercase", true);
      CharArraySet stop = Analysis.parseStopWords(env, s, CharArraySet.EMPTY_SET);
      return analyzer(name, s, pattern(p, lowercase, stop));
    });
    m.put("english", (is, env, name, s) -> analyzer(name, s, new EnglishAnalyzer(
        Analysis.parseStopWords(env, s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET),
        Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET))));
    m.put("fingerprint", (is, env, name, s) -> {
      char separator = AnalysisParams.oneChar(s, "separator", ' ');
      int max = s.getAsInt("max_output_size", 255);
      CharArraySet stop = Analysis.parseStopWords(env, s, CharArraySet.EMPTY_SET);
      return analyzer(name, s, fingerprint(separator, max, stop));
    });
    return m;
  }

  /** The analyzers usable by name without settings that the server lacks. */
  static List<PreBuiltAnalyzerProviderFactory> preBuilt() {
    return List.of(
        new PreBuiltAnalyzerProviderFactory("pattern", CachingStrategy.ONE,
            () -> pattern(Pattern.compile("\\W+"), true, CharArraySet.EMPTY_SET)),
        new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.ONE, EnglishAnalyzer::new),
        new PreBuiltAnalyzerProviderFactory("fingerprint", CachingStrategy.ONE,
            () -> fingerprint(' ', 255, CharArraySet.EMPTY_SET)));
  }

  /** The {@code pattern} analyzer: a regular expression splits, then lowercase and stop words. */
  static Analyzer pattern(Pattern p, boolean lowercase, CharArraySet stop) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer t = new PatternTokenizer(p, -1);
        TokenStream s = lowercase ? new LowerCaseFilter(t) : t;
        return new TokenStreamComponents(t, new StopFilter(s, stop));
      }

      @Override
      protected TokenStream normalize(String field, TokenStream in) {
        return lowercase ? new LowerCaseFilter(in) : in;
      }
    };
  }

  /**
   * The {@code fingerprint} analyzer: standard tokens, lowercased, folded
   * to ASCII, without stop words, sorted, deduplicated and joined into one.
   */
  static Analyzer fingerprint(char separator, int maxOutputSize, CharArraySet stop) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer t = new StandardTokenizer();
        TokenStream s = new LowerCaseFilter(t);
        s = new ASCIIFoldingFilter(s, false);
        s = new StopFilter(s, stop);
        return new TokenStreamComponents(t, new FingerprintFilter(s, maxOutputSize, separator));
      }

      @Override
      protected TokenStream normalize(String field, TokenStream in) {
        return new ASCIIFoldingFilter(new LowerCaseFilter(in), false);
      }
    };
  }
}
