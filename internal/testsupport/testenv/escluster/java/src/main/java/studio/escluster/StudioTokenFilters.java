package studio.escluster;

import static studio.escluster.AnalysisFactories.filter;
import static studio.escluster.AnalysisFactories.normalizingFilter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.classic.ClassicFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.TypeTokenFilter;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.EmptyTokenStream;
import org.apache.lucene.analysis.miscellaneous.FingerprintFilter;
import org.apache.lucene.analysis.miscellaneous.KeepWordFilter;
import org.apache.lucene.analysis.miscellaneous.KeywordRepeatFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.LimitTokenCountFilter;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.tr.ApostropheFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.tartarus.snowball.ext.EnglishStemmer;
import studio.escluster.AnalysisFactories.ForSynonyms;

/**
 * The token filters of Elasticsearch's analysis-common module, on Lucene's
 * implementations. The server itself has {@code stop}, {@code shingle},
 * {@code hunspell} and a parameterless {@code lowercase}.
 */
@SuppressWarnings("deprecation") // word_delimiter is Lucene's deprecated WordDelimiterFilter, as in Elasticsearch
final class StudioTokenFilters {
  private StudioTokenFilters() {}

  /** A provider of a filter that needs no more than its settings. */
  private interface Simple {
    TokenFilterFactory get(String name, Settings s);
  }

  private static AnalysisProvider<TokenFilterFactory> simple(Simple f) {
    return (is, env, name, s) -> f.get(name, s);
  }

  static Map<String, AnalysisProvider<TokenFilterFactory>> configurable() {
    Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
    m.put("lowercase", simple(StudioTokenFilters::lowercase));
    m.put("uppercase", simple((name, s) -> normalizingFilter(name, UpperCaseFilter::new)));
    m.put("asciifolding", simple((name, s) -> {
      boolean preserve = s.getAsBoolean("preserve_original", false);
      if (!preserve) {
        return normalizingFilter(name, in -> new ASCIIFoldingFilter(in, false));
      }
      // A normalizer must give one token: it folds without the original.
      return new AsciiFoldingKeepingOriginal(name);
    }));
    m.put("trim", simple((name, s) -> normalizingFilter(name, TrimFilter::new)));
    m.put("truncate", simple((name, s) -> {
      int length = s.getAsInt("length", 10);
      if (length <= 0) {
        throw new IllegalArgumentException("length parameter must be provided");
      }
      return filter(name, in -> new TruncateTokenFilter(in, length));
    }));
    m.put("unique", simple((name, s) -> {
      boolean same = s.getAsBoolean("only_on_same_position", false);
      return filter(name, in -> new UniqueTokenFilter(in, same));
    }));
    m.put("reverse", simple((name, s) -> filter(name, ReverseStringFilter::new)));
    m.put("porter_stem", simple((name, s) -> filter(name, PorterStemFilter::new)));
    m.put("kstem", simple((name, s) -> filter(name, KStemFilter::new)));
    m.put("stemmer", simple((name, s) -> filter(name, stemmer(s.get("language", s.get("name", "porter"))))));
    m.put("snowball", simple((name, s) -> {
      String language = s.get("language", "English");
      new SnowballFilter(new EmptyTokenStream(), language); // refuses an unknown language now
      return filter(name, in -> new SnowballFilter(in, language));
    }));
    m.put("length", simple((name, s) -> {
      int min = s.getAsInt("min", 0);
      int max = s.getAsInt("max", Integer.MAX_VALUE);
      return filter(name, in -> new LengthFilter(in, min, max));
    }));
    m.put("word_delimiter", (is, env, name, s) -> wordDelimiter(env, name, s, false));
    m.put("word_delimiter_graph", (is, env, name, s) -> wordDelimiter(env, name, s, true));
    m.put("ngram", (is, env, name, s) -> {
      int min = s.getAsInt("min_gram", 1);
      int max = s.getAsInt("max_gram", 2);
      boolean preserve = s.getAsBoolean("preserve_original", false);
      if (max - min > is.getMaxNgramDiff()) {
        throw new IllegalArgumentException("The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: ["
            + is.getMaxNgramDiff() + "] but was [" + (max - min) + "]. This limit can be set by changing the ["
            + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey() + "] index level setting.");
      }
      new NGramTokenFilter(new EmptyTokenStream(), min, max, preserve);
      return filter(name, ForSynonyms.REFUSE, in -> new NGramTokenFilter(in, min, max, preserve));
    });
    m.put("edge_ngram", simple((name, s) -> {
      int min = s.getAsInt("min_gram", 1);
      int max = s.getAsInt("max_gram", 2);
      boolean preserve = s.getAsBoolean("preserve_original", false);
      String side = s.get("side", "front");
      boolean back;
      switch (side) {
        case "front" -> back = false;
        case "back" -> back = true;
        default -> throw new IllegalArgumentException("invalid side: [" + side + "], must be [front] or [back]");
      }
      new EdgeNGramTokenFilter(new EmptyTokenStream(), min, max, preserve);
      return filter(name, ForSynonyms.REFUSE, in -> back
          ? new ReverseStringFilter(new EdgeNGramTokenFilter(new ReverseStringFilter(in), min, max, preserve))
          : new EdgeNGramTokenFilter(in, min, max, preserve));
    }));
    m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings(simple((name, s) -> {
      Pattern p = AnalysisParams.pattern(s, null, name, "token filter", "pattern_replace");
      String replacement = s.get("replacement", "");
      boolean all = s.getAsBoolean("all", true);
      return normalizingFilter(name, in -> new PatternReplaceFilter(in, p, replacement, all));
    })));
    m.put("elision", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
      CharArraySet articles = Analysis.parseArticles(env, s);
      if (articles == null) {
        throw new IllegalArgumentException("elision filter requires [articles] or [articles_path] setting");
      }
      return normalizingFilter(name, in -> new ElisionFilter(in, articles));
    }));
    m.put("decimal_digit", simple((name, s) -> normalizingFilter(name, DecimalDigitFilter::new)));
    m.put("apostrophe", simple((name, s) -> filter(name, ApostropheFilter::new)));
    m.put("classic", simple((name, s) -> filter(name, ClassicFilter::new)));
    m.put("cjk_width", simple((name, s) -> normalizingFilter(name, CJKWidthFilter::new)));
    m.put("flatten_graph", simple((name, s) -> filter(name, FlattenGraphFilter::new)));
    m.put("remove_duplicates", simple((name, s) -> filter(name, RemoveDuplicatesTokenFilter::new)));
    m.put("keyword_repeat", simple((name, s) -> filter(name, ForSynonyms.REFUSE, KeywordRepeatFilter::new)));
    m.put("limit", simple((name, s) -> {
      int max = s.getAsInt("max_token_count", 1);
      boolean all = s.getAsBoolean("consume_all_tokens", false);
      return filter(name, in -> new LimitTokenCountFilter(in, max, all));
    }));
    m.put("fingerprint", simple((name, s) -> {
      char separator = AnalysisParams.oneChar(s, "separator", ' ');
      int max = s.getAsInt("max_output_size", 255);
      return filter(name, in -> new FingerprintFilter(in, max, separator));
    }));
    m.put("keyword_marker", AnalysisPlugin.requiresAnalysisSettings(StudioTokenFilters::keywordMarker));
    m.put("keep", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
      List<String> words = Analysis.getWordList(env, s, "keep_words");
      if (words == null) {
        throw new IllegalArgumentException("keep requires either `keep_words` or `keep_words_path` to be configured");
      }
      if (!s.getAsList("keep_words").isEmpty() && s.get("keep_words_path") != null) {
        throw new IllegalArgumentException("cannot specify both `keep_words` and `keep_words_path`");
      }
      CharArraySet set = new CharArraySet(words, s.getAsBoolean("keep_words_case", false));
      return filter(name, in -> new KeepWordFilter(in, set));
    }));
    m.put("keep_types", AnalysisPlugin.requiresAnalysisSettings(simple((name, s) -> {
      List<String> types = s.getAsList("types");
      if (types.isEmpty()) {
        throw new IllegalArgumentException("keep_types requires `types` to be configured");
      }
      String mode = s.get("mode", "include");
      if (!mode.equals("include") && !mode.equals("exclude")) {
        throw new IllegalArgumentException("`keep_types` tokenfilter mode can only be [include] or [exclude] but was [" + mode + "].");
      }
      HashSet<String> set = new HashSet<>(types);
      boolean include = mode.equals("include");
      return filter(name, in -> new TypeTokenFilter(in, set, include));
    })));
    m.put("synonym", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFilterFactory(env, name, s, false)));
    m.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFilterFactory(env, name, s, true)));
    return m;
  }

  /** The names usable without settings, with the defaults Elasticsearch gives them there. */
  static List<PreConfiguredTokenFilter> preConfigured() {
    List<PreConfiguredTokenFilter> l = new ArrayList<>();
    l.add(PreConfiguredTokenFilter.singleton("uppercase", true, UpperCaseFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("truncate", false, in -> new TruncateTokenFilter(in, 10)));
    l.add(PreConfiguredTokenFilter.singleton("unique", false, in -> new UniqueTokenFilter(in, false)));
    l.add(PreConfiguredTokenFilter.singleton("reverse", false, ReverseStringFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("porter_stem", false, PorterStemFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("kstem", false, KStemFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("stemmer", false, PorterStemFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("snowball", false, in -> new SnowballFilter(in, "English")));
    l.add(PreConfiguredTokenFilter.singleton("length", false, in -> new LengthFilter(in, 0, Integer.MAX_VALUE)));
    l.add(PreConfiguredTokenFilter.singleton("limit", false, in -> new LimitTokenCountFilter(in, 1, false)));
    l.add(PreConfiguredTokenFilter.singleton("edge_ngram", false, false, in -> new EdgeNGramTokenFilter(in, 1)));
    l.add(PreConfiguredTokenFilter.singleton("ngram", false, false, in -> new NGramTokenFilter(in, 1, 2, false)));
    l.add(PreConfiguredTokenFilter.singleton("word_delimiter", false, false,
        in -> new WordDelimiterFilter(in, DEFAULT_WORD_DELIMITER_FLAGS, null)));
    l.add(PreConfiguredTokenFilter.singleton("word_delimiter_graph", false, false,
        in -> new WordDelimiterGraphFilter(in, true, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, DEFAULT_WORD_DELIMITER_FLAGS, null)));
    l.add(PreConfiguredTokenFilter.singleton("elision", true, in -> new ElisionFilter(in, FrenchAnalyzer.DEFAULT_ARTICLES)));
    l.add(PreConfiguredTokenFilter.singleton("decimal_digit", true, DecimalDigitFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("apostrophe", false, ApostropheFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("classic", false, ClassicFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("cjk_width", true, CJKWidthFilter::new));
    l.add(PreConfiguredTokenFilter.singleton("keyword_repeat", false, false, KeywordRepeatFilter::new));
    return l;
  }

  private static TokenFilterFactory lowercase(String name, Settings s) {
    String language = s.get("language");
    if (language == null) {
      return normalizingFilter(name, LowerCaseFilter::new);
    }
    switch (language.toLowerCase(Locale.ROOT)) {
      case "greek":
        return normalizingFilter(name, GreekLowerCaseFilter::new);
      case "irish":
        return normalizingFilter(name, IrishLowerCaseFilter::new);
      case "turkish":
        return normalizingFilter(name, TurkishLowerCaseFilter::new);
      default:
        throw new IllegalArgumentException("language [" + language + "] not support for lower case");
    }
  }

  /**
   * The {@code stemmer} filter's English stemmers. Elasticsearch offers
   * many more languages; this test cluster only English ones.
   */
  private static UnaryOperator<TokenStream> stemmer(String language) {
    switch (language.toLowerCase(Locale.ROOT)) {
      case "english":
      case "porter":
        return PorterStemFilter::new;
      case "light_english":
      case "kstem":
        return KStemFilter::new;
      case "minimal_english":
        return EnglishMinimalStemFilter::new;
      case "possessive_english":
        return EnglishPossessiveFilter::new;
      case "porter2":
        return in -> new SnowballFilter(in, new EnglishStemmer());
      default:
        throw new IllegalArgumentException("stemmer language [" + language
            + "]: this test cluster offers only [english, porter, light_english, kstem, minimal_english, possessive_english, porter2]");
    }
  }

  private static final int DEFAULT_WORD_DELIMITER_FLAGS = WordDelimiterGraphFilter.GENERATE_WORD_PARTS
      | WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS
      | WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE
      | WordDelimiterGraphFilter.SPLIT_ON_NUMERICS
      | WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;

  /** {@code word_delimiter} and {@code word_delimiter_graph}, with their options. */
  private static TokenFilterFactory wordDelimiter(Environment env, String name, Settings s, boolean graph) {
    int flags = 0;
    flags |= flag(s, "generate_word_parts", true, WordDelimiterGraphFilter.GENERATE_WORD_PARTS);
    flags |= flag(s, "generate_number_parts", true, WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS);
    flags |= flag(s, "catenate_words", false, WordDelimiterGraphFilter.CATENATE_WORDS);
    flags |= flag(s, "catenate_numbers", false, WordDelimiterGraphFilter.CATENATE_NUMBERS);
    flags |= flag(s, "catenate_all", false, WordDelimiterGraphFilter.CATENATE_ALL);
    flags |= flag(s, "split_on_case_change", true, WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE);
    flags |= flag(s, "preserve_original", false, WordDelimiterGraphFilter.PRESERVE_ORIGINAL);
    flags |= flag(s, "split_on_numerics", true, WordDelimiterGraphFilter.SPLIT_ON_NUMERICS);
    flags |= flag(s, "stem_english_possessive", true, WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE);
    if (graph) {
      flags |= flag(s, "ignore_keywords", false, WordDelimiterGraphFilter.IGNORE_KEYWORDS);
    }
    CharArraySet protectedWords = Analysis.getWordSet(env, s, "protected_words");
    List<String> rules = Analysis.getWordList(env, s, "type_table");
    byte[] table = rules == null ? WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE : typeTable(rules);
    boolean adjustOffsets = s.getAsBoolean("adjust_offsets", true);
    int f = flags;
    if (graph) {
      return filter(name, ForSynonyms.REFUSE, in -> new WordDelimiterGraphFilter(in, adjustOffsets, table, f, protectedWords));
    }
    return filter(name, ForSynonyms.REFUSE, in -> new WordDelimiterFilter(in, table, f, protectedWords));
  }

  private static int flag(Settings s, String key, boolean def, int flag) {
    return s.getAsBoolean(key, def) ? flag : 0;
  }

  /** A word delimiter {@code type_table}: rules such as {@code "# => ALPHA"}. */
  private static byte[] typeTable(List<String> rules) {
    TreeMap<Character, Byte> types = new TreeMap<>();
    for (String rule : rules) {
      int arrow = rule.indexOf("=>");
      if (arrow < 0) {
        throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
      }
      String lhs = AnalysisParams.unescape(rule.substring(0, arrow).trim());
      String rhs = rule.substring(arrow + 2).trim();
      if (lhs.length() != 1) {
        throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]. Only a single character is allowed.");
      }
      byte type = switch (rhs) {
        case "LOWER" -> (byte) WordDelimiterFilter.LOWER;
        case "UPPER" -> (byte) WordDelimiterFilter.UPPER;
        case "ALPHA" -> (byte) WordDelimiterFilter.ALPHA;
        case "DIGIT" -> (byte) WordDelimiterFilter.DIGIT;
        case "ALPHANUM" -> (byte) WordDelimiterFilter.ALPHANUM;
        case "SUBWORD_DELIM" -> (byte) WordDelimiterFilter.SUBWORD_DELIM;
        default -> throw new IllegalArgumentException("Invalid Mapping Rule : [" + rule + "]");
      };
      types.put(lhs.charAt(0), type);
    }
    byte[] def = WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE;
    byte[] table = new byte[Math.max(def.length, types.lastKey() + 1)];
    for (int i = 0; i < table.length; i++) {
      table[i] = i < def.length ? def[i] : WordDelimiterIterator.getType(i);
    }
    types.forEach((c, t) -> table[c] = t);
    return table;
  }

  /** {@code keyword_marker}: keywords, from a list, a file or a pattern, are not stemmed. */
  private static TokenFilterFactory keywordMarker(IndexSettings is, Environment env, String name, Settings s) {
    String pattern = s.get("keywords_pattern");
    boolean hasWords = !s.getAsList("keywords").isEmpty() || s.get("keywords_path") != null;
    if (pattern != null) {
      if (hasWords) {
        throw new IllegalArgumentException("cannot specify both `keywords_pattern` and `keywords` or `keywords_path`");
      }
      Pattern p = Pattern.compile(pattern);
      return filter(name, in -> new PatternKeywordMarkerFilter(in, p));
    }
    List<String> words = Analysis.getWordList(env, s, "keywords");
    if (words == null) {
      throw new IllegalArgumentException("keyword filter requires either `keywords`, `keywords_path`, or `keywords_pattern` to be configured");
    }
    CharArraySet set = new CharArraySet(words, s.getAsBoolean("ignore_case", false));
    return filter(name, in -> new SetKeywordMarkerFilter(in, set));
  }

  /**
   * {@code asciifolding} with {@code preserve_original}: the folded token
   * and the original; in a normalizer, only the folded one.
   */
  private static final class AsciiFoldingKeepingOriginal implements NormalizingTokenFilterFactory {
    private final String name;

    AsciiFoldingKeepingOriginal(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public TokenStream create(TokenStream in) {
      return new ASCIIFoldingFilter(in, true);
    }

    @Override
    public TokenStream normalize(TokenStream in) {
      return new ASCIIFoldingFilter(in, false);
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
      return IDENTITY_FILTER;
    }
  }
}
