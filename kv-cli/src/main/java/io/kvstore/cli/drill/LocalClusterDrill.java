package io.kvstore.cli.drill;

import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.core.ring.PartitionScheme;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An operator drill against a running local cluster: writes under load, injects one fault on the
 * right node, heals, waits until every partition has a leader again, keeps writing a little, then
 * reads back every acknowledged write. Faults: kill -9 of a partition's leader and its restart
 * (leader-failover), SIGSTOP of the leader for a few election timeouts (pause), every node
 * restarted in turn, waiting for health after each (rolling-restart), and the leader cut off from
 * the other nodes with nftables (partition; the nodes must run under distinct uids).
 */
final class LocalClusterDrill {
  enum Fault {
    LEADER_FAILOVER("leader-failover"),
    PARTITION("partition"),
    PAUSE("pause"),
    ROLLING_RESTART("rolling-restart");

    final String label;

    Fault(String label) {
      this.label = label;
    }
  }

  /** What to run; {@code partition} -1 picks partition 0. */
  record Settings(
      Fault fault,
      Path data,
      List<String> endpoints,
      int partition,
      int writers,
      Duration warmup,
      Duration faultFor,
      Duration settle,
      long maxWrites,
      Duration healthTimeout) {}

  /** One acknowledged write. */
  private record Ack(String key, String value, int partition, long nanos) {}

  /** The outcome. */
  record Result(
      boolean pass,
      String summary,
      long acked,
      long failed,
      long lost,
      Map<Integer, Double> gapsMs,
      double elapsedS) {}

  private final Settings s;
  private final PrintWriter out;
  private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<String> events = new ArrayList<>();
  private long t0;

  private LocalClusterDrill(Settings s, PrintWriter out) {
    this.s = s;
    this.out = out;
  }

  static Result run(Settings s, PrintWriter out) throws InterruptedException {
    return new LocalClusterDrill(s, out).run();
  }

  private void event(String what) {
    String line = String.format("%6.1f s  %s", (System.nanoTime() - t0) / 1e9, what);
    events.add(line);
    out.println("  " + line);
    out.flush();
  }

  private Result run() throws InterruptedException {
    LocalClusterNodes local = LocalClusterNodes.discover(s.data());
    ClusterMapResponse map = null;
    long mapDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (KvClient admin = client(Duration.ofSeconds(10))) {
      while (map == null) {
        try {
          map = admin.clusterMap();
        } catch (RuntimeException e) {
          // A first call on a cold, busy JVM can miss its deadline; retry until ours.
          if (System.nanoTime() > mapDeadline) {
            throw new IllegalStateException(
                "cluster unreachable at " + s.endpoints() + ": " + e.getMessage());
          }
          Thread.sleep(500);
        }
      }
    }
    Map<String, NodeInfo> nodeInfo = new TreeMap<>();
    for (NodeInfo n : map.getNodesList()) {
      nodeInfo.put(n.getId(), n);
      local.node(n.getId()); // every member must have a running process with a pid file
    }
    int partitions = map.getPartitionCount();
    int target = s.partition() < 0 ? 0 : s.partition();
    if (target >= partitions) {
      throw new IllegalArgumentException(
          "--partition " + target + " does not exist (the cluster has " + partitions + ")");
    }
    if (s.fault() == Fault.PARTITION) {
      String why = NftPartitions.unusableReason();
      if (why != null) {
        throw new IllegalStateException("partition needs nftables: " + why);
      }
      String uids = local.distinctUidsProblem();
      if (uids != null) {
        throw new IllegalStateException(
            "partition cuts nodes apart by the uid of their packets, but "
                + uids
                + "; restart the cluster with one uid per node: scripts/local-cluster.sh down &&"
                + " scripts/local-cluster.sh up --uids");
      }
    }
    awaitHealthy(map, Duration.ofSeconds(10), "before the drill");
    PartitionScheme scheme = PartitionScheme.of(partitions);
    String run = Long.toHexString(System.currentTimeMillis());

    t0 = System.nanoTime();
    out.printf(
        "kv drill %s: %d nodes, %d partitions, %d writers%n",
        s.fault().label, nodeInfo.size(), partitions, s.writers());
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < s.writers(); w++) {
      int id = w;
      Thread t = new Thread(() -> write(id, run, scheme), "drill-writer-" + w);
      t.setDaemon(true);
      writers.add(t);
      t.start();
    }
    long faultStart;
    TreeSet<Integer> touched = new TreeSet<>();
    String faulted;
    try {
      Thread.sleep(s.warmup().toMillis()); // the drill is a timeline: load before the fault
      Map<Integer, String> leaders = leaders(map);
      long deadline = System.nanoTime() + s.healthTimeout().toNanos();
      while (!leaders.containsKey(target) && System.nanoTime() < deadline) {
        Thread.sleep(250); // a status call can time out on a busy host; poll, bounded
        leaders = leaders(map);
      }
      faulted = leaders.get(target);
      if (faulted == null) {
        throw new IllegalStateException("partition " + target + " has no leader");
      }
      if (s.fault() == Fault.ROLLING_RESTART) {
        for (int p = 0; p < partitions; p++) {
          touched.add(p);
        }
      } else {
        for (Map.Entry<Integer, String> e : leaders.entrySet()) {
          if (e.getValue().equals(faulted) && e.getKey() >= 0) {
            touched.add(e.getKey());
          }
        }
      }
      faultStart = System.nanoTime();
      inject(local, map, nodeInfo, faulted, target);
      awaitHealthy(map, s.healthTimeout(), "after the fault");
      event("every partition has a leader");
      Thread.sleep(s.settle().toMillis()); // keep writing after recovery
    } finally {
      stop.set(true);
      for (Thread t : writers) {
        t.join(30_000);
      }
    }
    long loadEnd = System.nanoTime();
    event("load stopped; reading back " + acks.size() + " acknowledged writes");
    long lost = readBack();
    return summarize(faulted, target, touched, faultStart, loadEnd, lost);
  }

  private void inject(
      LocalClusterNodes local,
      ClusterMapResponse map,
      Map<String, NodeInfo> nodeInfo,
      String leader,
      int partition)
      throws InterruptedException {
    switch (s.fault()) {
      case LEADER_FAILOVER -> {
        event(
            "kill -9 "
                + leader
                + " (pid "
                + local.node(leader).pid()
                + "), leader of p"
                + partition);
        local.kill9(leader);
        try {
          Thread.sleep(s.faultFor().toMillis());
        } finally {
          long pid = local.restart(leader);
          event("restarted " + leader + " (pid " + pid + ")");
        }
      }
      case PAUSE -> {
        event(
            "SIGSTOP "
                + leader
                + " (pid "
                + local.node(leader).pid()
                + "), leader of p"
                + partition);
        Thread resumeHook = new Thread(() -> local.resume(leader), "drill-resume");
        local.pause(leader);
        Runtime.getRuntime().addShutdownHook(resumeHook);
        try {
          Thread.sleep(s.faultFor().toMillis());
        } finally {
          local.resume(leader);
          Runtime.getRuntime().removeShutdownHook(resumeHook);
          event("SIGCONT " + leader);
        }
      }
      case PARTITION -> {
        List<NftPartitions.Endpoint> isolated = new ArrayList<>();
        List<NftPartitions.Endpoint> others = new ArrayList<>();
        for (NodeInfo n : nodeInfo.values()) {
          NftPartitions.Endpoint e = endpoint(n, local.node(n.getId()).uid());
          (n.getId().equals(leader) ? isolated : others).add(e);
        }
        try (NftPartitions nft = NftPartitions.create()) {
          nft.cut(NftPartitions.between(List.of(isolated, others)));
          event(
              "isolated "
                  + leader
                  + ", leader of p"
                  + partition
                  + " (nft table inet "
                  + nft.table()
                  + ")");
          Thread.sleep(s.faultFor().toMillis());
          nft.heal();
          event("healed");
        }
      }
      case ROLLING_RESTART -> {
        for (String id : nodeInfo.keySet()) {
          event("stopping " + id + " (SIGTERM, pid " + local.node(id).pid() + ")");
          local.stop(id, 30);
          long pid = local.restart(id);
          event("restarted " + id + " (pid " + pid + "), waiting for health");
          awaitHealthy(map, s.healthTimeout(), "after restarting " + id);
        }
      }
    }
  }

  private static NftPartitions.Endpoint endpoint(NodeInfo n, long uid) {
    String[] raft = n.getRaftEndpoint().split(":");
    String[] client = n.getClientEndpoint().split(":");
    return new NftPartitions.Endpoint(
        uid, raft[0], Integer.parseInt(raft[1]), Integer.parseInt(client[1]));
  }

  private KvClient client(Duration timeout) {
    return KvClient.builder()
        .endpoints(s.endpoints())
        .timeout(timeout)
        .attemptTimeout(
            timeout.compareTo(Duration.ofSeconds(1)) < 0 ? timeout : Duration.ofSeconds(1))
        .build();
  }

  private void write(int id, String run, PartitionScheme scheme) {
    try (KvClient client = client(Duration.ofSeconds(2))) {
      long seq = 0;
      while (!stop.get() && acks.size() + failed.get() < s.maxWrites()) {
        String key = "drill/" + s.fault().label + "/" + run + "/" + id + "/" + seq;
        String value = "v" + id + "-" + seq++;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try {
          client.put(k, value.getBytes(StandardCharsets.UTF_8));
          acks.add(new Ack(key, value, scheme.partitionOf(k), System.nanoTime()));
        } catch (RuntimeException e) {
          failed.incrementAndGet(); // unavailable, or indeterminate: not counted as acknowledged
        }
      }
    }
  }

  /** Partition (META for the meta group) to the node id leading it with the highest term. */
  private Map<Integer, String> leaders(ClusterMapResponse map) {
    Map<Integer, String> leader = new TreeMap<>();
    Map<Integer, Long> term = new TreeMap<>();
    try (KvClient c = client(Duration.ofSeconds(5))) {
      for (NodeInfo n : map.getNodesList()) {
        ClusterStatusResponse st;
        try {
          st = c.status(n.getClientEndpoint());
        } catch (RuntimeException e) {
          continue;
        }
        for (GroupStatus g : st.getGroupsList()) {
          int p = g.getMeta() ? -1 : g.getPartition();
          if (g.getRole().equals("LEADER") && g.getTerm() >= term.getOrDefault(p, -1L)) {
            term.put(p, g.getTerm());
            leader.put(p, st.getNodeId());
          }
        }
      }
    }
    return leader;
  }

  /** Polls until every node answers and every partition and the meta group have a leader. */
  private void awaitHealthy(ClusterMapResponse map, Duration timeout, String when)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      try (KvClient c = client(Duration.ofSeconds(2))) {
        for (NodeInfo n : map.getNodesList()) {
          try {
            c.status(n.getClientEndpoint());
          } catch (RuntimeException e) {
            all = false;
          }
        }
      }
      Map<Integer, String> leaders = leaders(map);
      if (all && leaders.size() >= map.getPartitionCount() + 1) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the cluster is not healthy " + when + " within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(250); // polling interval, bounded by the deadline
    }
  }

  /** Reads every acknowledged write back (linearizable); returns how many are missing or wrong. */
  private long readBack() throws InterruptedException {
    List<Ack> all;
    synchronized (acks) {
      all = new ArrayList<>(acks);
    }
    long lost = 0;
    try (KvClient c = client(Duration.ofSeconds(10))) {
      for (int i = 0; i < all.size(); i += 128) {
        List<Ack> chunk = all.subList(i, Math.min(all.size(), i + 128));
        List<CompletableFuture<Optional<KeyValue>>> fs = new ArrayList<>();
        for (Ack a : chunk) {
          fs.add(c.getAsync(a.key().getBytes(StandardCharsets.UTF_8)));
        }
        for (int j = 0; j < chunk.size(); j++) {
          Ack a = chunk.get(j);
          Optional<KeyValue> v = null;
          for (int attempt = 0; attempt < 3 && v == null; attempt++) {
            try {
              v = attempt == 0 ? fs.get(j).join() : c.get(a.key().getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
              Thread.sleep(500); // the cluster may still settle; bounded by the attempts
            }
          }
          if (v == null
              || v.isEmpty()
              || !new String(v.get().value(), StandardCharsets.UTF_8).equals(a.value())) {
            lost++;
            if (lost <= 5) {
              out.println(
                  "  LOST: "
                      + a.key()
                      + " acknowledged as "
                      + a.value()
                      + ", read back "
                      + (v == null
                          ? "nothing (read failed)"
                          : v.map(x -> new String(x.value(), StandardCharsets.UTF_8))
                              .orElse("absent")));
            }
          }
        }
      }
    }
    return lost;
  }

  private Result summarize(
      String faulted,
      int target,
      TreeSet<Integer> touched,
      long faultStart,
      long loadEnd,
      long lost) {
    List<Ack> all;
    synchronized (acks) {
      all = new ArrayList<>(acks);
    }
    Map<Integer, List<Long>> times = new TreeMap<>();
    for (Ack a : all) {
      times.computeIfAbsent(a.partition(), p -> new ArrayList<>()).add(a.nanos());
    }
    Map<Integer, Double> gaps = new TreeMap<>();
    for (int p : touched) {
      List<Long> ts = times.getOrDefault(p, List.of());
      Collections.sort(ts);
      long prev = faultStart;
      long gap = 0;
      for (long t : ts) {
        if (t < faultStart) {
          continue;
        }
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      gap = Math.max(gap, loadEnd - prev);
      gaps.put(p, gap / 1e6);
    }
    double elapsed = (loadEnd - t0) / 1e9;
    boolean pass = lost == 0 && !all.isEmpty();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%nkv drill %s: summary%n", s.fault().label));
    sb.append(
        String.format(
            "  fault:         %s on %s (leader of p%d when it began)%n",
            s.fault().label, s.fault() == Fault.ROLLING_RESTART ? "every node" : faulted, target));
    sb.append(
        String.format(
            "  writes:        %d acknowledged, %d failed or indeterminate, %.1f s, %d writers%n",
            all.size(), failed.get(), elapsed, s.writers()));
    sb.append("  availability:  longest time without a successful write, from the fault on\n");
    double max = 0;
    for (Map.Entry<Integer, Double> g : gaps.entrySet()) {
      max = Math.max(max, g.getValue());
    }
    int shown = 0;
    for (Map.Entry<Integer, Double> g : gaps.entrySet()) {
      if (shown++ < 8) {
        sb.append(String.format("                 p%-3d %8.0f ms%n", g.getKey(), g.getValue()));
      }
    }
    if (gaps.size() > 8) {
      sb.append(String.format("                 ... %d more partitions%n", gaps.size() - 8));
    }
    sb.append(
        String.format("                 max  %8.0f ms over %d partitions%n", max, gaps.size()));
    sb.append(
        String.format(
            "  nothing lost:  %s (%d of %d acknowledged writes read back)%n",
            lost == 0 ? "yes" : "NO, " + lost + " missing or wrong",
            all.size() - lost,
            all.size()));
    sb.append(String.format("  verdict:       %s%n", pass ? "PASS" : "FAIL"));
    return new Result(pass, sb.toString(), all.size(), failed.get(), lost, gaps, elapsed);
  }
}
