package io.kvstore.cli.drill;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network partitions between node processes that share the loopback interface, with nftables.
 *
 * <p>Every node runs under its own uid, so the packets it sends carry that uid as their socket
 * owner; a cut "X cannot reach Y" is the rule {@code meta skuid <uid X> ip daddr <host Y> tcp dport
 * {<raft Y>, <client Y>} drop} on the OUTPUT hook. A symmetric cut is the two directed rules:
 * connections X opens to Y lose their packets one way, connections Y opens to X the other. Replies
 * travel to ephemeral ports, so they match no rule, and clients (root) are never cut: an isolated
 * leader stays reachable by clients, which is what a stale-read test needs.
 *
 * <p>The rules live in one table this object creates, {@code inet kvdrill_<pid>_<n>}, and nowhere
 * else; healing flushes its chain, {@link #close()} deletes the table, and a JVM shutdown hook
 * deletes it if {@code close} was never reached.
 */
public final class NftPartitions implements AutoCloseable {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final String CHAIN = "out";

  /** What a rule needs to know about a node. */
  public record Endpoint(long uid, String host, int raftPort, int clientPort) {}

  private final String table;
  private final Thread hook;
  private boolean closed;

  private NftPartitions(String table) {
    this.table = table;
    this.hook = new Thread(this::deleteQuietly, "nft-cleanup-" + table);
  }

  /** Creates the table with an empty OUTPUT chain; fails if nft is not usable. */
  public static NftPartitions create() {
    String name = "kvdrill_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
    NftPartitions n = new NftPartitions(name);
    Runtime.getRuntime().addShutdownHook(n.hook);
    try {
      n.nft(
          "add table inet "
              + name
              + "\nadd chain inet "
              + name
              + " "
              + CHAIN
              + " { type filter hook output priority 0; policy accept; }\n");
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** The table's name (family inet). */
  public String table() {
    return table;
  }

  /**
   * Whether this process can partition node processes: it runs as root, and {@code nft} and {@code
   * setpriv} work. Returns the reason it cannot, or null when it can.
   */
  public static String unusableReason() {
    if (!isRoot()) {
      return "not running as root (nftables rules and per-node uids need root)";
    }
    for (List<String> probe : List.of(List.of("nft", "list", "tables"), List.of("setpriv", "-d"))) {
      try {
        Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return "'" + String.join(" ", probe) + "' failed";
        }
      } catch (IOException e) {
        return "'" + probe.get(0) + "' is not installed (" + e.getMessage() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
    return null;
  }

  /** Whether this process runs as uid 0. */
  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /**
   * Replaces the current cuts by these: for every {@code [from, to]} pair, {@code from} can no
   * longer send to {@code to}. One nft transaction, so there is no moment with half the rules.
   */
  public synchronized void cut(Collection<Endpoint[]> directed) {
    StringBuilder sb = new StringBuilder("flush chain inet " + table + " " + CHAIN + "\n");
    for (Endpoint[] pair : directed) {
      Endpoint from = pair[0];
      Endpoint to = pair[1];
      sb.append("add rule inet ")
          .append(table)
          .append(' ')
          .append(CHAIN)
          .append(" meta skuid ")
          .append(from.uid())
          .append(" ip daddr ")
          .append(to.host())
          .append(" tcp dport { ")
          .append(to.raftPort())
          .append(", ")
          .append(to.clientPort())
          .append(" } drop\n");
    }
    nft(sb.toString());
  }

  /** Both directions of every pair of nodes on different sides of {@code groups}. */
  public static List<Endpoint[]> between(List<List<Endpoint>> groups) {
    List<Endpoint[]> out = new ArrayList<>();
    for (int a = 0; a < groups.size(); a++) {
      for (int b = 0; b < groups.size(); b++) {
        if (a == b) {
          continue;
        }
        for (Endpoint x : groups.get(a)) {
          for (Endpoint y : groups.get(b)) {
            out.add(new Endpoint[] {x, y});
          }
        }
      }
    }
    return out;
  }

  /** Removes every cut (flushes the chain); the table stays for the next fault. */
  public synchronized void heal() {
    nft("flush chain inet " + table + " " + CHAIN + "\n");
  }

  /** The table's current rules, as {@code nft list table} prints them. */
  public synchronized String list() {
    return run(List.of("nft", "list", "table", "inet", table), null);
  }

  /** Deletes the table (and so every rule); idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    deleteQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or ran.
    }
  }

  private void deleteQuietly() {
    try {
      run(List.of("nft", "delete", "table", "inet", table), null);
    } catch (RuntimeException e) {
      // Gone already (or nft vanished); nothing else to remove.
    }
  }

  private void nft(String script) {
    run(List.of("nft", "-f", "-"), script);
  }

  private static String run(List<String> cmd, String stdin) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd)
                + " failed: "
                + out.strip()
                + (stdin == null ? "" : "\n" + stdin));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
    }
  }
}
