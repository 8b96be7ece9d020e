package studio.escluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.path.ReversePathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternSplitTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternTokenizer;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.apache.lucene.util.AttributeFactory;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * The tokenizers of Elasticsearch's analysis-common module, on Lucene's
 * implementations. The server itself has only {@code standard}.
 */
final class StudioTokenizers {
  private StudioTokenizers() {}

  /** Elasticsearch's default maximum token length (StandardAnalyzer's). */
  static final int MAX_TOKEN_LENGTH = 255;

  static Map<String, AnalysisProvider<TokenizerFactory>> configurable() {
    Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
    m.put("whitespace", (is, env, name, s) -> {
      int max = s.getAsInt("max_token_length", MAX_TOKEN_LENGTH);
      return TokenizerFactory.newFactory(name, () -> new WhitespaceTokenizer(AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, max));
    });
    m.put("letter", (is, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
    m.put("lowercase", (is, env, name, s) -> TokenizerFactory.newFactory(name, LowerCaseLetterTokenizer::new));
    m.put("keyword", (is, env, name, s) -> {
      int buffer = s.getAsInt("buffer_size", 256);
      return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(buffer));
    });
    m.put("path_hierarchy", StudioTokenizers::pathHierarchy);
    m.put("pattern", (is, env, name, s) -> {
      Pattern p = AnalysisParams.pattern(s, "\\W+", name, "tokenizer", "pattern");
      int group = s.getAsInt("group", -1);
      return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(p, group));
    });
    m.put("simple_pattern", (is, env, name, s) -> {
      String p = s.get("pattern", "");
      new SimplePatternTokenizer(p); // refuses a bad expression now
      return TokenizerFactory.newFactory(name, () -> new SimplePatternTokenizer(p));
    });
    m.put("simple_pattern_split", (is, env, name, s) -> {
      String p = s.get("pattern", "");
      new SimplePatternSplitTokenizer(p);
      return TokenizerFactory.newFactory(name, () -> new SimplePatternSplitTokenizer(p));
    });
    m.put("char_group", StudioTokenizers::charGroup);
    m.put("ngram", (is, env, name, s) -> ngram(is, name, s, false));
    m.put("edge_ngram", (is, env, name, s) -> ngram(is, name, s, true));
    m.put("classic", (is, env, name, s) -> {
      int max = s.getAsInt("max_token_length", MAX_TOKEN_LENGTH);
      return TokenizerFactory.newFactory(name, () -> {
        ClassicTokenizer t = new ClassicTokenizer();
        t.setMaxTokenLength(max);
        return t;
      });
    });
    m.put("uax_url_email", (is, env, name, s) -> {
      int max = s.getAsInt("max_token_length", MAX_TOKEN_LENGTH);
      return TokenizerFactory.newFactory(name, () -> {
        UAX29URLEmailTokenizer t = new UAX29URLEmailTokenizer();
        t.setMaxTokenLength(max);
        return t;
      });
    });
    return m;
  }

  /** The names usable without settings, with their defaults. */
  static List<PreConfiguredTokenizer> preConfigured() {
    List<PreConfiguredTokenizer> l = new ArrayList<>();
    l.add(PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("lowercase", LowerCaseLetterTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("path_hierarchy", PathHierarchyTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("pattern", () -> new PatternTokenizer(Pattern.compile("\\W+"), -1)));
    l.add(PreConfiguredTokenizer.singleton("ngram", () -> new NGramTokenizer(1, 2)));
    l.add(PreConfiguredTokenizer.singleton("edge_ngram", () -> new EdgeNGramTokenizer(1, 2)));
    l.add(PreConfiguredTokenizer.singleton("classic", ClassicTokenizer::new));
    l.add(PreConfiguredTokenizer.singleton("uax_url_email", UAX29URLEmailTokenizer::new));
    return l;
  }

  private static TokenizerFactory pathHierarchy(IndexSettings is, Environment env, String name, Settings s) {
    char delimiter = AnalysisParams.oneChar(s, "delimiter", PathHierarchyTokenizer.DEFAULT_DELIMITER);
    char replacement = AnalysisParams.oneChar(s, "replacement", delimiter);
    int buffer = s.getAsInt("buffer_size", 1024);
    int skip = s.getAsInt("skip", 0);
    boolean reverse = s.getAsBoolean("reverse", false);
    return TokenizerFactory.newFactory(name, () -> reverse
        ? new ReversePathHierarchyTokenizer(buffer, delimiter, replacement, skip)
        : new PathHierarchyTokenizer(buffer, delimiter, replacement, skip));
  }

  /** {@code char_group}: splits on the listed characters and classes. */
  private static TokenizerFactory charGroup(IndexSettings is, Environment env, String name, Settings s) {
    StringBuilder chars = new StringBuilder();
    List<IntPredicate> classes = new ArrayList<>();
    for (String c : s.getAsList("tokenize_on_chars")) {
      if (c == null || c.isEmpty()) {
        throw new IllegalArgumentException("[tokenize_on_chars] cannot contain empty characters");
      }
      if (c.length() == 1) {
        chars.append(c);
        continue;
      }
      if (c.charAt(0) == '\\') {
        String u = AnalysisParams.unescape(c);
        if (u.length() != 1) {
          throw new IllegalArgumentException("Invalid escaped char in [" + c + "]");
        }
        chars.append(u);
        continue;
      }
      IntPredicate p = AnalysisParams.charClass(c);
      if (p == null) {
        throw new IllegalArgumentException("Invalid escaped char in [" + c + "]");
      }
      classes.add(p);
    }
    String split = chars.toString();
    int max = s.getAsInt("max_token_length", MAX_TOKEN_LENGTH);
    return TokenizerFactory.newFactory(name, () -> new CharTokenizer(AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, max) {
      @Override
      protected boolean isTokenChar(int c) {
        if (split.indexOf(c) >= 0) {
          return false;
        }
        for (IntPredicate p : classes) {
          if (p.test(c)) {
            return false;
          }
        }
        return true;
      }
    });
  }

  private static TokenizerFactory ngram(IndexSettings is, String name, Settings s, boolean edge) {
    int min = s.getAsInt("min_gram", 1);
    int max = s.getAsInt("max_gram", 2);
    if (!edge && max - min > is.getMaxNgramDiff()) {
      throw new IllegalArgumentException("The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: ["
          + is.getMaxNgramDiff() + "] but was [" + (max - min) + "]. This limit can be set by changing the ["
          + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey() + "] index level setting.");
    }
    // Lucene checks the sizes (min_gram at least 1, not above max_gram).
    new NGramTokenizer(min, max);
    IntPredicate chars = AnalysisParams.tokenChars(s);
    if (chars == null) {
      return TokenizerFactory.newFactory(name, () -> edge ? new EdgeNGramTokenizer(min, max) : new NGramTokenizer(min, max));
    }
    return TokenizerFactory.newFactory(name, () -> edge
        ? new EdgeNGramTokenizer(min, max) {
          @Override
          protected boolean isTokenChar(int c) {
            return chars.test(c);
          }
        }
        : new NGramTokenizer(min, max) {
          @Override
          protected boolean isTokenChar(int c) {
            return chars.test(c);
          }
        });
  }
}
