package io.kvstore.cli.drill;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of node processes on this host, one JVM each ({@code io.kvstore.cli.Kv start}, started
 * with this JVM's classpath), each on its own loopback address 127.0.0.{base+i} with free ports,
 * its data and log under {@code root}. Every signal goes to one process by its own pid (kill -9,
 * SIGSTOP, SIGCONT, SIGTERM); nothing is ever looked up or killed by name.
 *
 * <p>When this process runs as root and nftables is usable ({@link NftPartitions#unusableReason}),
 * each node runs under its own uid ({@code setpriv --reuid U --regid U --clear-groups}, its data
 * directory chowned to U) so {@link #partition} can cut nodes apart by the uid their packets carry.
 * The nodes keep one capability, CAP_DAC_READ_SEARCH, only so they can read a classpath under a
 * home directory other uids cannot enter; they can write nothing but their own data directory.
 * Otherwise nodes run as this user and partitions are unavailable ({@link #canPartition}).
 */
public final class ProcessNodes implements AutoCloseable {
  /** Election timeouts written into every node's config, in milliseconds. */
  public static final int ELECTION_TIMEOUT_MIN_MS = 500;

  public static final int ELECTION_TIMEOUT_MAX_MS = 1000;
  public static final int PARTITIONS = 4;

  private final Path root;
  private final int size;
  private final List<String> hosts = new ArrayList<>();
  private final List<int[]> ports = new ArrayList<>(); // {raft, client}
  private final Properties extra;
  private final Process[] processes;
  private final boolean[] paused;
  private final long[] uids;
  private final String noPartitionReason;
  private NftPartitions nft;

  /**
   * @param base the last octet of node 1's address; nodes use base..base+size-1
   * @param extra properties added to (and overriding) every node's config
   */
  public ProcessNodes(Path root, int size, int base, Properties extra) {
    this(root, size, base, extra, NftPartitions.unusableReason() == null);
  }

  /**
   * @param useUids run every node under its own uid so partitions are possible (needs root and nft)
   */
  public ProcessNodes(Path root, int size, int base, Properties extra, boolean useUids) {
    if (size < 1 || base < 2 || base + size > 254) {
      throw new IllegalArgumentException("nodes must fit in 127.0.0.2..127.0.0.254");
    }
    this.root = root;
    this.size = size;
    this.extra = extra;
    this.processes = new Process[size];
    this.paused = new boolean[size];
    this.uids = new long[size];
    for (int i = 0; i < size; i++) {
      String host = "127.0.0." + (base + i);
      hosts.add(host);
      ports.add(new int[] {freePort(host), freePort(host)});
      // Unique per harness process and node; no passwd entry is needed.
      uids[i] = useUids ? UID_BASE + ProcessHandle.current().pid() * 10 + i : -1;
    }
    this.noPartitionReason =
        useUids ? null : "nodes run under one uid (partitions need root, nft and setpriv)";
  }

  /** First uid given to drill nodes; node i of harness pid P runs as UID_BASE + 10 P + i. */
  static final long UID_BASE = 100_000_000L;

  /** Whether {@link #partition} works: nodes run under their own uids. */
  public boolean canPartition() {
    return noPartitionReason == null;
  }

  /** Why {@link #partition} does not work, or null. */
  public String noPartitionReason() {
    return noPartitionReason;
  }

  /** The uid node i runs under, or -1 when nodes run as this user. */
  public long uid(int i) {
    return uids[i];
  }

  public String host(int i) {
    return hosts.get(i);
  }

  public int raftPort(int i) {
    return ports.get(i)[0];
  }

  /** What an nft rule needs to know about node i. */
  public NftPartitions.Endpoint endpoint(int i) {
    return new NftPartitions.Endpoint(uids[i], hosts.get(i), ports.get(i)[0], ports.get(i)[1]);
  }

  /**
   * Cuts the network between the given groups of nodes (indexes); nodes in no group keep talking to
   * everyone. Replaces any earlier partition. Clients are never cut.
   */
  public synchronized void partition(List<List<Integer>> groups) {
    if (!canPartition()) {
      throw new IllegalStateException("cannot partition: " + noPartitionReason);
    }
    if (nft == null) {
      nft = NftPartitions.create();
    }
    List<List<NftPartitions.Endpoint>> eps = new ArrayList<>();
    for (List<Integer> g : groups) {
      List<NftPartitions.Endpoint> e = new ArrayList<>();
      for (int i : g) {
        e.add(endpoint(i));
      }
      eps.add(e);
    }
    nft.cut(NftPartitions.between(eps));
  }

  /** Cuts exactly these directed links: {@code [from, to]} node indexes. */
  public synchronized void cutLinks(List<int[]> links) {
    if (!canPartition()) {
      throw new IllegalStateException("cannot partition: " + noPartitionReason);
    }
    if (nft == null) {
      nft = NftPartitions.create();
    }
    List<NftPartitions.Endpoint[]> directed = new ArrayList<>();
    for (int[] l : links) {
      directed.add(new NftPartitions.Endpoint[] {endpoint(l[0]), endpoint(l[1])});
    }
    nft.cut(directed);
  }

  /** Removes every cut. */
  public synchronized void heal() {
    if (nft != null) {
      nft.heal();
    }
  }

  /** The nft table this cluster's cuts live in, or null before the first partition. */
  public synchronized String nftTable() {
    return nft == null ? null : nft.table();
  }

  /** A base address derived from this JVM's pid, so concurrent drills rarely share addresses. */
  public static int defaultBase(int size) {
    return 20 + (int) (ProcessHandle.current().pid() % (230 - size));
  }

  public int size() {
    return size;
  }

  public String id(int i) {
    return "n" + (i + 1);
  }

  public String clientEndpoint(int i) {
    return hosts.get(i) + ":" + ports.get(i)[1];
  }

  public List<String> clientEndpoints() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      out.add(clientEndpoint(i));
    }
    return out;
  }

  public Path log(int i) {
    return root.resolve(id(i) + ".log");
  }

  private String members() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(id(i))
          .append(':')
          .append(hosts.get(i))
          .append(':')
          .append(ports.get(i)[0])
          .append(':')
          .append(ports.get(i)[1]);
    }
    return sb.toString();
  }

  Properties properties(int i) {
    Properties p = new Properties();
    p.setProperty("node.id", id(i));
    p.setProperty("node.data-dir", root.resolve(id(i)).toString());
    p.setProperty("cluster.members", members());
    p.setProperty("cluster.partitions", String.valueOf(PARTITIONS));
    p.setProperty("cluster.replication-factor", String.valueOf(Math.min(3, size)));
    p.setProperty("raft.election-timeout-min-ms", String.valueOf(ELECTION_TIMEOUT_MIN_MS));
    p.setProperty("raft.election-timeout-max-ms", String.valueOf(ELECTION_TIMEOUT_MAX_MS));
    p.putAll(extra);
    return p;
  }

  public ProcessNodes startAll() {
    for (int i = 0; i < size; i++) {
      start(i);
    }
    return this;
  }

  /** Starts node i (again): same config and data directory, so a restart recovers its state. */
  public synchronized void start(int i) {
    if (processes[i] != null && processes[i].isAlive()) {
      throw new IllegalStateException(id(i) + " is running");
    }
    try {
      Files.createDirectories(root);
      Path conf = root.resolve(id(i) + ".properties");
      try (OutputStream out = Files.newOutputStream(conf)) {
        properties(i).store(out, "kv drill node " + id(i));
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path data = root.resolve(id(i));
      List<String> cmd = new ArrayList<>();
      if (uids[i] >= 0) {
        Files.createDirectories(data);
        searchableByAll(root);
        chown(data, uids[i]);
        cmd.addAll(
            List.of(
                "setpriv",
                "--reuid",
                Long.toString(uids[i]),
                "--regid",
                Long.toString(uids[i]),
                "--clear-groups",
                "--inh-caps",
                "+dac_read_search",
                "--ambient-caps",
                "+dac_read_search"));
      }
      cmd.addAll(
          List.of(
              java,
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              "io.kvstore.cli.Kv",
              "start",
              "--config",
              conf.toString()));
      processes[i] =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()))
              .start();
      paused[i] = false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pid of node i's process, or -1 if it is not running. */
  public synchronized long pid(int i) {
    Process p = processes[i];
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  public synchronized boolean alive(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  public synchronized boolean paused(int i) {
    return paused[i];
  }

  /** SIGKILL: the process gets no chance to flush or close anything. */
  public synchronized void kill9(int i) {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    waitExit(p, Duration.ofSeconds(30));
    processes[i] = null;
    paused[i] = false;
  }

  /** SIGTERM, then SIGKILL if it has not exited in 5 s. A paused node is resumed first. */
  public synchronized void stop(int i) {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    if (paused[i]) {
      resume(i);
    }
    p.destroy();
    if (!waitExit(p, Duration.ofSeconds(5))) {
      p.destroyForcibly();
      waitExit(p, Duration.ofSeconds(30));
    }
    processes[i] = null;
  }

  /** kill -9 then start again. */
  public synchronized void restart(int i) {
    kill9(i);
    start(i);
  }

  /** SIGSTOP to this node's own pid: it freezes, sockets stay open (a GC-pause model). */
  public synchronized void pause(int i) {
    signal(i, "-STOP");
    paused[i] = true;
  }

  /** SIGCONT to this node's own pid. */
  public synchronized void resume(int i) {
    signal(i, "-CONT");
    paused[i] = false;
  }

  private void signal(int i, String sig) {
    Process p = processes[i];
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(id(i) + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", sig, Long.toString(p.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + sig + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling " + id(i), e);
    }
  }

  /**
   * Polls the nodes' status until every data partition and the meta group report a leader.
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  public void awaitLeaders(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KvClient client =
        KvClient.builder()
            .endpoints(clientEndpoints())
            .timeout(Duration.ofSeconds(2))
            .attemptTimeout(Duration.ofSeconds(1))
            .build()) {
      while (true) {
        Set<Integer> led = new HashSet<>();
        boolean meta = false;
        for (int i = 0; i < size; i++) {
          ClusterStatusResponse s;
          try {
            s = client.status(clientEndpoint(i));
          } catch (RuntimeException e) {
            continue;
          }
          for (GroupStatus g : s.getGroupsList()) {
            if (g.getRole().equals("LEADER")) {
              if (g.getMeta()) {
                meta = true;
              } else {
                led.add(g.getPartition());
              }
            }
          }
        }
        if (meta && led.size() >= PARTITIONS) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "no leader for every partition within " + timeout + "; logs in " + root);
        }
        try {
          Thread.sleep(100); // polling interval, bounded by the deadline above
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
  }

  /**
   * Lets other uids traverse to {@code dir}: a node checks its data directory with access(2), which
   * ignores capabilities, so every ancestor must be searchable (o+x) by the node's uid. Directories
   * under the temporary directory (like a run's fresh temp dir, mode 700) get o+x; any other
   * unsearchable ancestor is an error naming it.
   */
  private static void searchableByAll(Path dir) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    for (Path d = dir.toRealPath(); d != null; d = d.getParent()) {
      java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
          Files.getPosixFilePermissions(d);
      if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
        continue;
      }
      if (d.startsWith(tmp) && !d.equals(tmp)) {
        perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(d, perms);
      } else {
        throw new IllegalStateException(
            "nodes run under their own uids and cannot reach "
                + dir
                + ": "
                + d
                + " is not searchable by other users (chmod o+x it, or use a directory under "
                + tmp
                + ")");
      }
    }
  }

  /** chown -R: the node writes its data directory as its own uid. */
  private static void chown(Path dir, long uid) throws IOException {
    Process p =
        new ProcessBuilder("chown", "-R", uid + ":" + uid, dir.toString()).inheritIO().start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("chown " + uid + " " + dir + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted chowning " + dir, e);
    }
  }

  /**
   * The current leaders: partition ({@link io.kvstore.raft.server.PartitionGroups#META} for the
   * meta group) to node index. Asks every running, unpaused node; where two claim to lead a group
   * (a deposed leader that has not noticed yet), the one with the higher term wins.
   */
  public Map<Integer, Integer> leaders() {
    Map<Integer, Integer> leader = new HashMap<>();
    Map<Integer, Long> term = new HashMap<>();
    try (KvClient client =
        KvClient.builder()
            .endpoints(clientEndpoints())
            .timeout(Duration.ofSeconds(2))
            .attemptTimeout(Duration.ofSeconds(1))
            .build()) {
      for (int i = 0; i < size; i++) {
        if (!alive(i) || paused(i)) {
          continue;
        }
        ClusterStatusResponse s;
        try {
          s = client.status(clientEndpoint(i));
        } catch (RuntimeException e) {
          continue;
        }
        for (GroupStatus g : s.getGroupsList()) {
          int p = g.getMeta() ? io.kvstore.raft.server.PartitionGroups.META : g.getPartition();
          if (g.getRole().equals("LEADER") && g.getTerm() >= term.getOrDefault(p, -1L)) {
            term.put(p, g.getTerm());
            leader.put(p, i);
          }
        }
      }
    }
    return leader;
  }

  /** Leadership transfers for this cluster, from its current cluster map. */
  public LeaderTransfers leaderTransfers() {
    try (KvClient client =
        KvClient.builder()
            .endpoints(clientEndpoints())
            .timeout(Duration.ofSeconds(10))
            .attemptTimeout(Duration.ofSeconds(2))
            .build()) {
      return new LeaderTransfers(client.clusterMap());
    }
  }

  /** The node leading {@code partition} now, or -1 if none answers as its leader. */
  public int leaderOf(int partition) {
    return leaders().getOrDefault(partition, -1);
  }

  private static boolean waitExit(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + host, e);
    }
  }

  /** Removes the nft table, then stops every node: resume if paused, SIGTERM, SIGKILL after 5 s. */
  @Override
  public void close() {
    synchronized (this) {
      if (nft != null) {
        nft.close();
      }
    }
    for (int i = 0; i < size; i++) {
      try {
        stop(i);
      } catch (RuntimeException e) {
        kill9(i);
      }
    }
  }
}
