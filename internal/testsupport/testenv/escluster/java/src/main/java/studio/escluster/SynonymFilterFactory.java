package studio.escluster;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.text.ParseException;
import java.util.List;
import java.util.function.Function;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;

/**
 * The {@code synonym} and {@code synonym_graph} token filters: rules in
 * Solr's format (or WordNet's with {@code "format": "wordnet"}), inline in
 * {@code synonyms} or in the file {@code synonyms_path}, analyzed by the
 * analyzer's own tokenizer, char filters and the filters before this one.
 * Options: {@code expand} (true), {@code lenient} (false),
 * {@code updateable} (false: true makes it a search-time filter). Synonym
 * sets ({@code synonyms_set}) are not offered.
 */
@SuppressWarnings("deprecation") // synonym is Lucene's deprecated SynonymFilter, as in Elasticsearch
final class SynonymFilterFactory implements TokenFilterFactory {
  private final String name;
  private final boolean graph;
  private final boolean expand;
  private final boolean lenient;
  private final boolean wordnet;
  private final String rules;
  private final AnalysisMode mode;

  SynonymFilterFactory(Environment env, String name, Settings s, boolean graph) throws IOException {
    this.name = name;
    this.graph = graph;
    this.expand = s.getAsBoolean("expand", true);
    this.lenient = s.getAsBoolean("lenient", false);
    String format = s.get("format", "");
    if (!format.isEmpty() && !format.equals("solr") && !format.equals("wordnet")) {
      throw new IllegalArgumentException("synonym format [" + format + "] is not one of [solr, wordnet]");
    }
    this.wordnet = format.equals("wordnet");
    this.mode = s.getAsBoolean("updateable", false) ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
    if (s.get("synonyms_set") != null) {
      throw new IllegalArgumentException("[" + name + "]: synonyms_set is not offered by this test cluster; use synonyms or synonyms_path");
    }
    List<String> inline = s.getAsList("synonyms");
    String path = s.get("synonyms_path");
    if (!inline.isEmpty() || (path == null && s.keySet().contains("synonyms"))) {
      this.rules = String.join("\n", inline);
    } else if (path != null) {
      StringBuilder b = new StringBuilder();
      try (Reader r = Analysis.getReaderFromFile(env, path, "synonyms_path")) {
        char[] buf = new char[8192];
        for (int n; (n = r.read(buf)) > 0; ) {
          b.append(buf, 0, n);
        }
      }
      this.rules = b.toString();
    } else {
      throw new IllegalArgumentException("synonym requires either `synonyms`, `synonyms_set` or `synonyms_path` to be configured");
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TokenStream create(TokenStream in) {
    throw new IllegalStateException("the synonym filter [" + name + "] is built for an analysis chain first");
  }

  @Override
  public AnalysisMode getAnalysisMode() {
    return mode;
  }

  @Override
  public TokenFilterFactory getChainAwareTokenFilterFactory(IndexCreationContext context, TokenizerFactory tokenizer,
      List<CharFilterFactory> charFilters, List<TokenFilterFactory> previous, Function<String, TokenFilterFactory> all) {
    SynonymMap map = build(tokenizer, charFilters, previous);
    return new TokenFilterFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public TokenStream create(TokenStream in) {
        if (map.fst == null) {
          return in; // no rules
        }
        return graph ? new SynonymGraphFilter(in, map, false) : new SynonymFilter(in, map, false);
      }

      @Override
      public TokenFilterFactory getSynonymFilter() {
        return IDENTITY_FILTER; // a later synonym filter parses its rules without this one
      }

      @Override
      public AnalysisMode getAnalysisMode() {
        return mode;
      }
    };
  }

  private SynonymMap build(TokenizerFactory tokenizer, List<CharFilterFactory> charFilters, List<TokenFilterFactory> previous) {
    try (Analyzer chain = new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            Tokenizer t = tokenizer.create();
            TokenStream s = t;
            for (TokenFilterFactory f : previous) {
              s = f.getSynonymFilter().create(s);
            }
            return new TokenStreamComponents(t, s);
          }

          @Override
          protected Reader initReader(String field, Reader reader) {
            for (CharFilterFactory c : charFilters) {
              reader = c.create(reader);
            }
            return reader;
          }
        }) {
      SynonymMap.Parser parser = wordnet ? new Wordnet(chain) : new Solr(chain);
      parser.parse(new StringReader(rules));
      return parser.build();
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("failed to build synonyms for [" + name + "]: " + e.getMessage(), e);
    }
  }

  /** With {@code lenient}, a rule whose words the analyzer cannot take is left out. */
  private CharsRef analyzeLeniently(String text, CharsRefBuilder reuse, Analyze a) throws IOException {
    try {
      return a.analyze(text, reuse);
    } catch (IllegalArgumentException e) {
      if (!lenient) {
        throw e;
      }
      reuse.clear();
      return reuse.get();
    }
  }

  private interface Analyze {
    CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException;
  }

  private final class Solr extends SolrSynonymParser {
    Solr(Analyzer a) {
      super(true, expand, a);
    }

    @Override
    public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
      return analyzeLeniently(text, reuse, super::analyze);
    }

    @Override
    public void add(CharsRef input, CharsRef output, boolean includeOrig) {
      if (!lenient || (input.length > 0 && output.length > 0)) {
        super.add(input, output, includeOrig);
      }
    }
  }

  private final class Wordnet extends WordnetSynonymParser {
    Wordnet(Analyzer a) {
      super(true, expand, a);
    }

    @Override
    public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
      return analyzeLeniently(text, reuse, super::analyze);
    }

    @Override
    public void add(CharsRef input, CharsRef output, boolean includeOrig) {
      if (!lenient || (input.length > 0 && output.length > 0)) {
        super.add(input, output, includeOrig);
      }
    }
  }
}
