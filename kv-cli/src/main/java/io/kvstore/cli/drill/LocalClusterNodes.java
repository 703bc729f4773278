package io.kvstore.cli.drill;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node processes of a running local cluster, as {@code scripts/local-cluster.sh} leaves them: a
 * pid file {@code <data>/nK.pid} and a log {@code <data>/nK.log} per node. Each node's command
 * line, working directory and uid are read from {@code /proc} when the drill starts, so a node the
 * drill stops can be started again exactly as it was (under the same uid, with {@code setsid}, its
 * output appended to its log, its new pid written to its pid file). Only the pids in the pid files
 * are ever signalled, and only while their command line still names a kv node.
 */
final class LocalClusterNodes {
  /** One node as found. */
  record Node(String id, long pid, long uid, List<String> command, Path cwd) {}

  private final Path data;
  private final Map<String, Node> nodes = new TreeMap<>();

  private LocalClusterNodes(Path data) {
    this.data = data;
  }

  /**
   * Reads the pid files under {@code data}.
   *
   * @throws IllegalStateException with a one-line reason if no node runs there
   */
  static LocalClusterNodes discover(Path data) {
    if (!Files.isDirectory(data)) {
      throw new IllegalStateException(
          "no local cluster: "
              + data.toAbsolutePath()
              + " does not exist (start one with scripts/local-cluster.sh up, or pass --data)");
    }
    LocalClusterNodes c = new LocalClusterNodes(data);
    Pattern pidFile = Pattern.compile("(n\\d+)\\.pid");
    File[] files = data.toFile().listFiles();
    for (File f : files == null ? new File[0] : files) {
      Matcher m = pidFile.matcher(f.getName());
      if (!m.matches()) {
        continue;
      }
      try {
        long pid = Long.parseLong(Files.readString(f.toPath()).trim());
        Optional<Node> n = inspect(m.group(1), pid);
        n.ifPresent(node -> c.nodes.put(node.id(), node));
      } catch (IOException | NumberFormatException e) {
        // Not a pid file of a running node; ignore it.
      }
    }
    if (c.nodes.isEmpty()) {
      throw new IllegalStateException(
          "no running node has a pid file in "
              + data.toAbsolutePath()
              + " (start the cluster with scripts/local-cluster.sh up)");
    }
    return c;
  }

  /** The node if {@code pid} runs a kv node now. */
  private static Optional<Node> inspect(String id, long pid) throws IOException {
    Path proc = Path.of("/proc", Long.toString(pid));
    if (!Files.isDirectory(proc)) {
      return Optional.empty();
    }
    byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
    List<String> cmd = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        cmd.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (!cmd.contains("io.kvstore.cli.Kv") || !cmd.contains("start")) {
      return Optional.empty();
    }
    long uid = -1;
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      if (line.startsWith("Uid:")) {
        uid = Long.parseLong(line.split("\\s+")[1]);
      }
    }
    Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
    return Optional.of(new Node(id, pid, uid, List.copyOf(cmd), cwd));
  }

  Map<String, Node> nodes() {
    return nodes;
  }

  Node node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new IllegalStateException(
          id + " has no running process with a pid file in " + data.toAbsolutePath());
    }
    return n;
  }

  /** Whether every node runs under its own uid, none of them this process's. */
  String distinctUidsProblem() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (Node n : nodes.values()) {
      if (n.uid() == 0 || !seen.add(n.uid())) {
        return n.id()
            + " runs as uid "
            + n.uid()
            + ", like "
            + (n.uid() == 0 ? "this drill" : "another node");
      }
    }
    return null;
  }

  /** Whether node {@code id}'s process (the pid the drill knows) is alive. */
  boolean alive(String id) {
    return ProcessHandle.of(node(id).pid()).map(ProcessHandle::isAlive).orElse(false);
  }

  void kill9(String id) {
    signal(id, "-KILL");
    awaitExit(id, 30);
  }

  /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
  void stop(String id, int graceSeconds) {
    signal(id, "-TERM");
    if (!awaitExit(id, graceSeconds)) {
      signal(id, "-KILL");
      awaitExit(id, 30);
    }
  }

  void pause(String id) {
    signal(id, "-STOP");
  }

  void resume(String id) {
    signal(id, "-CONT");
  }

  /** Starts node {@code id} again as it was started; returns the new pid. */
  long restart(String id) {
    Node n = node(id);
    if (alive(id)) {
      throw new IllegalStateException(id + " (pid " + n.pid() + ") still runs");
    }
    List<String> cmd = new ArrayList<>(List.of("setsid"));
    if (n.uid() != 0) {
      cmd.addAll(
          List.of(
              "setpriv",
              "--reuid",
              Long.toString(n.uid()),
              "--regid",
              Long.toString(n.uid()),
              "--clear-groups"));
    }
    cmd.addAll(n.command());
    try {
      Path log = data.resolve(id + ".log");
      Files.writeString(
          log,
          "---- kv drill restarted " + id + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      Process p =
          new ProcessBuilder(cmd)
              .directory(n.cwd().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      Files.writeString(data.resolve(id + ".pid"), p.pid() + "\n", StandardCharsets.UTF_8);
      nodes.put(id, new Node(id, p.pid(), n.uid(), n.command(), n.cwd()));
      return p.pid();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart " + id + ": " + e.getMessage(), e);
    }
  }

  private void signal(String id, String sig) {
    Node n = node(id);
    try {
      // Re-check that the pid still is this kv node before signalling it.
      if (inspect(id, n.pid()).isEmpty()) {
        throw new IllegalStateException(id + " (pid " + n.pid() + ") is no longer running");
      }
      Process kill = new ProcessBuilder("kill", sig, Long.toString(n.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + sig + " " + n.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill " + sig + " " + n.pid() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling " + id, e);
    }
  }

  private boolean awaitExit(String id, int seconds) {
    Optional<ProcessHandle> h = ProcessHandle.of(node(id).pid());
    if (h.isEmpty()) {
      return true;
    }
    try {
      h.get().onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !h.get().isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
