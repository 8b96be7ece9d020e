package studio.escluster;

import java.util.List;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * {@code GET /}: the node's name, its cluster and its version, as the
 * rest-root module of an Elasticsearch distribution answers (that module
 * is not published on Maven Central). Clients read the version from it.
 */
final class RootHandler extends BaseRestHandler {
  private final Settings settings;

  RootHandler(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String getName() {
    return "studio_root_action";
  }

  @Override
  public List<Route> routes() {
    return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
    return channel -> client.admin().cluster().prepareState(org.elasticsearch.core.TimeValue.timeValueSeconds(30)).clear().setMetadata(true).execute(
        new org.elasticsearch.action.ActionListener<>() {
          @Override
          public void onResponse(org.elasticsearch.action.admin.cluster.state.ClusterStateResponse state) {
            try {
              Build build = Build.current();
              XContentBuilder b = channel.newBuilder();
              b.startObject();
              b.field("name", settings.get("node.name"));
              b.field("cluster_name", state.getClusterName().value());
              b.field("cluster_uuid", state.getState().metadata().clusterUUID());
              b.startObject("version")
                  .field("number", build.qualifiedVersion())
                  .field("build_flavor", build.flavor())
                  .field("build_type", build.type().displayName())
                  .field("build_hash", build.hash())
                  .field("build_date", build.date())
                  .field("build_snapshot", build.isSnapshot())
                  .field("lucene_version", IndexVersion.current().luceneVersion().toString())
                  .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                  .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                  .endObject();
              b.field("tagline", "You Know, for Search");
              b.endObject();
              channel.sendResponse(new RestResponse(RestStatus.OK, b));
            } catch (Exception e) {
              onFailure(e);
            }
          }

          @Override
          public void onFailure(Exception e) {
            try {
              channel.sendResponse(new RestResponse(channel, e));
            } catch (Exception inner) {
              e.addSuppressed(inner);
            }
          }
        });
  }
}
