package io.kvstore.raft.testing;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of separate node processes (one JVM each, started from the test classpath), for crash
 * tests: {@link #kill9} sends SIGKILL. Every process is stopped by its handle, never by name.
 */
public final class ProcessCluster implements AutoCloseable {
  private final ClusterSpec spec;
  private final Path root;
  private final Process[] processes;

  public ProcessCluster(Path root, int size, Properties extra) {
    this.root = root;
    this.spec = new ClusterSpec(root, size, extra);
    this.processes = new Process[size];
  }

  public ClusterSpec spec() {
    return spec;
  }

  public ProcessCluster startAll() {
    for (int i = 0; i < processes.length; i++) {
      start(i);
    }
    return this;
  }

  public void start(int i) {
    if (processes[i] != null && processes[i].isAlive()) {
      throw new IllegalStateException(spec.id(i) + " is running");
    }
    try {
      Path conf = root.resolve(spec.id(i) + ".properties");
      try (OutputStream out = Files.newOutputStream(conf)) {
        spec.properties(i).store(out, null);
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  java,
                  "-Xmx256m",
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  NodeProcessMain.class.getName(),
                  conf.toString()));
      Path log = root.resolve(spec.id(i) + ".log");
      processes[i] =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: the process gets no chance to flush or close anything. */
  public void kill9(int i) {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    waitExit(p);
    processes[i] = null;
  }

  /** SIGTERM and wait: a clean shutdown. */
  public void stop(int i) {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    p.destroy();
    if (!waitExit(p)) {
      p.destroyForcibly();
      waitExit(p);
    }
    processes[i] = null;
  }

  private static boolean waitExit(Process p) {
    try {
      return p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public boolean alive(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  /** A node's status over its client API, or null if it does not answer. */
  public ClusterStatusResponse status(KvClient client, int i) {
    try {
      return client.status(spec.clientEndpoint(i));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Index of the node that reports itself leader of partition {@code p}, or -1. */
  public int leader(KvClient client, int p) {
    for (int i = 0; i < processes.length; i++) {
      GroupStatus g = Groups.partition(status(client, i), p);
      if (g != null && g.getRole().equals("LEADER")) {
        return i;
      }
    }
    return -1;
  }

  public int awaitLeader(KvClient client, int p, Duration timeout) {
    int[] found = {-1};
    Poll.until("a leader of partition " + p, timeout, () -> (found[0] = leader(client, p)) >= 0);
    return found[0];
  }

  public KvClient client() {
    return spec.client();
  }

  public KvClient clientOf(int i) {
    return spec.clientOf(i);
  }

  public Path log(int i) {
    return root.resolve(spec.id(i) + ".log");
  }

  @Override
  public void close() {
    for (int i = 0; i < processes.length; i++) {
      kill9(i);
    }
  }
}
