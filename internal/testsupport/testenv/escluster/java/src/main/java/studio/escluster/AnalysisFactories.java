package studio.escluster;

import java.io.Reader;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/** The small factory objects the analysis components are made of. */
final class AnalysisFactories {
  private AnalysisFactories() {}

  /** How a token filter may take part in parsing synonym rules. */
  enum ForSynonyms {
    /** The filter applies to the rules as to the text. */
    APPLY,
    /** A filter that makes several tokens of one: it cannot parse rules. */
    REFUSE
  }

  /** A token filter factory: a name and what it wraps a stream in. */
  static TokenFilterFactory filter(String name, UnaryOperator<TokenStream> create) {
    return filter(name, ForSynonyms.APPLY, create);
  }

  static TokenFilterFactory filter(String name, ForSynonyms synonyms, UnaryOperator<TokenStream> create) {
    return new Filter(name, synonyms, create);
  }

  /**
   * A token filter that works one character at a time, so normalizers
   * (keyword fields) may use it.
   */
  static TokenFilterFactory normalizingFilter(String name, UnaryOperator<TokenStream> create) {
    return new NormalizingFilter(name, create);
  }

  /** A char filter factory; {@code normalizing} lets normalizers use it. */
  static CharFilterFactory charFilter(String name, boolean normalizing, Function<Reader, Reader> create) {
    return normalizing ? new NormalizingCharFilter(name, create) : new CharFilter(name, create);
  }

  /** An analyzer provider handing out one analyzer. */
  static <T extends Analyzer> AbstractIndexAnalyzerProvider<T> analyzer(String name, Settings settings, T analyzer) {
    return new AbstractIndexAnalyzerProvider<T>(name, settings) {
      @Override
      public T get() {
        return analyzer;
      }
    };
  }

  private static class Filter implements TokenFilterFactory {
    private final String name;
    private final ForSynonyms synonyms;
    private final UnaryOperator<TokenStream> create;

    Filter(String name, ForSynonyms synonyms, UnaryOperator<TokenStream> create) {
      this.name = name;
      this.synonyms = synonyms;
      this.create = create;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public TokenStream create(TokenStream in) {
      return create.apply(in);
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
      if (synonyms == ForSynonyms.REFUSE) {
        throw new IllegalArgumentException("Token filter [" + name + "] cannot be used to parse synonyms");
      }
      return this;
    }
  }

  private static final class NormalizingFilter extends Filter implements NormalizingTokenFilterFactory {
    NormalizingFilter(String name, UnaryOperator<TokenStream> create) {
      super(name, ForSynonyms.APPLY, create);
    }
  }

  private static class CharFilter implements CharFilterFactory {
    private final String name;
    private final Function<Reader, Reader> create;

    CharFilter(String name, Function<Reader, Reader> create) {
      this.name = name;
      this.create = create;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Reader create(Reader in) {
      return create.apply(in);
    }
  }

  private static final class NormalizingCharFilter extends CharFilter implements NormalizingCharFilterFactory {
    NormalizingCharFilter(String name, Function<Reader, Reader> create) {
      super(name, create);
    }
  }
}
