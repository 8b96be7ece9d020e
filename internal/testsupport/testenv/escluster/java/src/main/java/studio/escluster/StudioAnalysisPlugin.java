package studio.escluster;

import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis components of Elasticsearch's analysis-common module, which
 * Maven Central does not publish for Elasticsearch 8, registered under
 * their Elasticsearch names, with Elasticsearch's parameters and defaults,
 * from Lucene's own implementations. Only what the server lacks is
 * registered here (it has the standard tokenizer and analyzer, the stop,
 * shingle and hunspell filters, and a parameterless lowercase filter).
 *
 * <p>Each component has two forms: a configurable type ({@code "type":
 * "path_hierarchy", "delimiter": "."}) and, for those that need no
 * settings, a pre-configured name a custom analyzer may list directly
 * ({@code "tokenizer": "whitespace"}).
 */
public class StudioAnalysisPlugin extends Plugin implements AnalysisPlugin {
  @Override
  public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
    return StudioTokenizers.configurable();
  }

  @Override
  public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
    return StudioTokenizers.preConfigured();
  }

  @Override
  public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
    return StudioTokenFilters.configurable();
  }

  @Override
  public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
    return StudioTokenFilters.preConfigured();
  }

  @Override
  public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
    return StudioCharFilters.configurable();
  }

  @Override
  public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
    return StudioCharFilters.preConfigured();
  }

  @Override
  public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
    return StudioAnalyzers.configurable();
  }

  @Override
  public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
    return StudioAnalyzers.preBuilt();
  }
}
