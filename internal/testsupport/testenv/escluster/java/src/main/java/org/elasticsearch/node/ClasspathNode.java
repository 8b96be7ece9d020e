package org.elasticsearch.node;

import java.util.Collection;
import java.util.Map;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * An Elasticsearch node whose plugins are classes on the classpath rather
 * than folders of a distribution. It lives in Elasticsearch's node package
 * because the node's construction hooks are package-private.
 */
public class ClasspathNode extends Node {
  public ClasspathNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
    super(NodeConstruction.prepareConstruction(
        InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node"),
        null,
        new NodeServiceProvider() {
          @Override
          PluginsService newPluginService(Environment env, PluginsLoader loader) {
            return new MockPluginsService(env.settings(), env, plugins);
          }
        },
        true));
  }

  /** Several nodes share one JVM: the process-wide log context is left alone. */
  @Override
  protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}
}
