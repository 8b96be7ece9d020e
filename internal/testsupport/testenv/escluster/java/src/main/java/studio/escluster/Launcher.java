package studio.escluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.node.ClasspathNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs an Elasticsearch cluster of N nodes in this JVM, on free loopback
 * ports, with its data under one folder.
 *
 * <p>Usage: {@code Launcher <folder> <nodes>}. When every node has joined,
 * it prints {@code READY <http url> ...}, one URL per node. It then reads
 * commands, one per line, from standard input:
 *
 * <ul>
 *   <li>{@code stop <i>}: closes node i, prints {@code STOPPED <i>};
 *   <li>{@code start <i>}: starts node i again on its ports and data,
 *       prints {@code STARTED <i> <http url>}.
 * </ul>
 *
 * <p>The end of standard input (the parent is gone) stops every node and
 * the JVM: the cluster never outlives the tests that started it.
 */
public final class Launcher {
  private static final List<Class<? extends Plugin>> PLUGINS =
      List.of(Netty4Plugin.class, RootPlugin.class, StudioAnalysisPlugin.class);

  private final Path home;
  private final int[] httpPorts;
  private final int[] transportPorts;
  private final Node[] nodes;
  private final PrintStream out;

  private Launcher(Path home, int n, PrintStream out) throws Exception {
    this.home = home;
    this.out = out;
    httpPorts = new int[n];
    transportPorts = new int[n];
    nodes = new Node[n];
    for (int i = 0; i < n; i++) {
      httpPorts[i] = freePort();
      transportPorts[i] = freePort();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: Launcher <folder> <nodes>");
      System.exit(2);
    }
    // The nodes start side by side in one JVM: only the first may set
    // netty's processor count, or a second node's start fails.
    System.setProperty("es.set.netty.runtime.available.processors", "false");
    // Elasticsearch writes to System.out through its console appender;
    // the protocol lines keep the real standard output to themselves.
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    LogConfigurator.configureESLogging();
    LogConfigurator.configureWithoutConfig(Settings.builder().put("logger.level", System.getProperty("studio.es.log", "WARN")).build());

    Launcher l = new Launcher(Paths.get(args[0]).toAbsolutePath(), Integer.parseInt(args[1]), out);
    Runtime.getRuntime().addShutdownHook(new Thread(l::stopAll));
    l.startAll();
    StringBuilder ready = new StringBuilder("READY");
    for (int p : l.httpPorts) {
      ready.append(" http://127.0.0.1:").append(p);
    }
    out.println(ready);
    l.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    l.stopAll();
    System.exit(0);
  }

  private Settings settings(int i) {
    List<String> seeds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int j = 0; j < nodes.length; j++) {
      seeds.add("127.0.0.1:" + transportPorts[j]);
      names.add("node-" + j);
    }
    Path dir = home.resolve("node-" + i);
    return Settings.builder()
        .put("cluster.name", "studio-test")
        .put("node.name", "node-" + i)
        .put("path.home", dir.toString())
        .put("path.data", dir.resolve("data").toString())
        .put("path.logs", dir.resolve("logs").toString())
        .put("network.host", "127.0.0.1")
        .put("http.port", httpPorts[i])
        .put("transport.port", transportPorts[i])
        .put("http.type", "netty4")
        .put("transport.type", "netty4")
        .putList("discovery.seed_hosts", seeds)
        .putList("cluster.initial_master_nodes", names)
        // A shared test machine's disk may be fuller than the production
        // watermarks allow; shards must still be allocated.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .build();
  }

  private void startAll() throws Exception {
    // Nodes start together: each waits for a master, which needs the others.
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      final int n = i;
      Thread t = new Thread(() -> {
        try {
          start(n);
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "start-node-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private void start(int i) throws Exception {
    Node node = new ClasspathNode(settings(i), PLUGINS);
    node.start();
    synchronized (this) {
      nodes[i] = node;
    }
  }

  private synchronized void stop(int i) throws Exception {
    if (nodes[i] != null) {
      nodes[i].close();
      nodes[i].awaitClose(30, java.util.concurrent.TimeUnit.SECONDS);
      nodes[i] = null;
    }
  }

  private synchronized void stopAll() {
    for (int i = 0; i < nodes.length; i++) {
      try {
        stop(i);
      } catch (Exception e) {
        System.err.println("stop node-" + i + ": " + e);
      }
    }
  }

  private void serve(BufferedReader in) throws Exception {
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.trim().split("\\s+");
      try {
        if (f.length == 2 && f[0].equals("stop")) {
          int i = Integer.parseInt(f[1]);
          stop(i);
          out.println("STOPPED " + i);
        } else if (f.length == 2 && f[0].equals("start")) {
          int i = Integer.parseInt(f[1]);
          start(i);
          out.println("STARTED " + i + " http://127.0.0.1:" + httpPorts[i]);
        } else if (!line.isBlank()) {
          out.println("ERROR unknown command: " + line);
        }
      } catch (Exception e) {
        out.println("ERROR " + line + ": " + e);
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
