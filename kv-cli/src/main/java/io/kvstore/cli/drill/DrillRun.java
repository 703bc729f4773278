package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.KeyResult;
import io.kvstore.client.KvClient;
import io.kvstore.client.ReadOptions;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One drill: start {@code nodes} node processes, run the {@link Workload}s (register, bank, set;
 * concurrently, on disjoint keys) for {@code duration} while the {@link Nemesis} kills and pauses
 * nodes, heal, wait for leaders and a quiet period, run every workload's final linearizable reads,
 * optionally run the {@link LostWriteControl}, stop the nodes, check the histories and write {@code
 * history.jsonl}, {@code report.md}, {@code report.json} and {@code chart.png} (plus node configs,
 * data and logs under {@code nodes/}) into {@code outDir}.
 */
public final class DrillRun {
  /**
   * What to run.
   *
   * @param workloads names from {@link #WORKLOADS}, run concurrently; may be empty with a control
   * @param control null, or {@code lost-write} to run the {@link LostWriteControl} afterwards
   * @param unsafeAckBeforeCommit start the nodes with the test-only seeded bug {@code
   *     unsafe.ack-before-commit=true} (the control must then report lost writes)
   * @param kinds the fault kinds of the seeded schedule
   * @param staleReadControl instead of it, the fixed schedule of {@link Nemesis#staleReadControl}
   * @param reads the read level of the register workload
   * @param pinReads every other register client reads straight from the node last cut off (see
   *     {@link PinnedReads})
   */
  public record Options(
      int nodes,
      Duration duration,
      int clients,
      long seed,
      Path outDir,
      long maxOps,
      List<String> workloads,
      String control,
      boolean unsafeAckBeforeCommit,
      Set<Nemesis.Kind> kinds,
      boolean staleReadControl,
      ReadOptions reads,
      boolean pinReads) {
    public Options {
      if (nodes < 1 || clients < 1 || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("nodes, clients and duration must be positive");
      }
      workloads = List.copyOf(workloads);
      kinds = Set.copyOf(kinds);
      reads = reads == null ? ReadOptions.LINEARIZABLE : reads;
      for (String w : workloads) {
        if (!WORKLOADS.contains(w)) {
          throw new IllegalArgumentException(
              "unknown workload '" + w + "'; expected one of " + WORKLOADS);
        }
      }
      if (workloads.size() != new java.util.HashSet<>(workloads).size()) {
        throw new IllegalArgumentException("a workload is named twice: " + workloads);
      }
      if (control != null && !control.equals(LOST_WRITE)) {
        throw new IllegalArgumentException(
            "unknown control '" + control + "'; expected " + LOST_WRITE);
      }
      if (control != null && nodes < 3) {
        throw new IllegalArgumentException("the lost-write control needs at least 3 nodes");
      }
      if (workloads.isEmpty() && control == null) {
        throw new IllegalArgumentException("nothing to run: no workload and no control");
      }
    }

    /** The register workload alone, no control; kills and pauses, linearizable reads. */
    public Options(int nodes, Duration duration, int clients, long seed, Path outDir, long maxOps) {
      this(nodes, duration, clients, seed, outDir, maxOps, List.of("register"), null, false);
    }

    /** Workloads and control; kills and pauses, linearizable reads through the leader. */
    public Options(
        int nodes,
        Duration duration,
        int clients,
        long seed,
        Path outDir,
        long maxOps,
        List<String> workloads,
        String control,
        boolean unsafeAckBeforeCommit) {
      this(
          nodes,
          duration,
          clients,
          seed,
          outDir,
          maxOps,
          workloads,
          control,
          unsafeAckBeforeCommit,
          Nemesis.PROCESS,
          false,
          ReadOptions.LINEARIZABLE,
          false);
    }

    /** The register workload alone, no control, under the given faults and reads. */
    public Options(
        int nodes,
        Duration duration,
        int clients,
        long seed,
        Path outDir,
        long maxOps,
        Set<Nemesis.Kind> kinds,
        boolean staleReadControl,
        ReadOptions reads,
        boolean pinReads) {
      this(
          nodes,
          duration,
          clients,
          seed,
          outDir,
          maxOps,
          List.of("register"),
          null,
          false,
          kinds,
          staleReadControl,
          reads,
          pinReads);
    }

    /** Whether a fault in the schedule needs nftables. */
    public boolean needsPartitions() {
      return staleReadControl || kinds.stream().anyMatch(Nemesis.Kind::network);
    }
  }

  /** The schedule {@code o} describes. */
  public static List<Nemesis.PlannedFault> plan(Options o) {
    long durationMs = o.duration().toMillis();
    Nemesis.Params defaults =
        Nemesis.Params.defaults(durationMs, o.nodes(), ProcessNodes.ELECTION_TIMEOUT_MAX_MS);
    if (o.staleReadControl()) {
      return Nemesis.staleReadControl(durationMs, o.nodes(), defaults.finalQuietMs());
    }
    return Nemesis.plan(o.seed(), defaults.withKinds(o.kinds()));
  }

  /** Workload names. */
  public static final List<String> WORKLOADS = List.of("register", "bank", "set");

  /** The control's name. */
  public static final String LOST_WRITE = "lost-write";

  /** Time between healing (every partition led again) and the final reads. */
  static final Duration QUIET = Duration.ofSeconds(2);

  /** Bound on each final-read phase (retries included). */
  static final Duration FINAL_READS = Duration.ofSeconds(60);

  /** Process ids of workload i start at (i + 1) times this. */
  static final long PROCESS_BLOCK = 1_000_000_000L;

  private static Workload workload(
      String name, List<String> endpoints, Options o, int index, RegisterWorkload.Reader reads) {
    long base = (index + 1) * PROCESS_BLOCK;
    Duration timeout = Duration.ofSeconds(2);
    return switch (name) {
      case "register" ->
          new RegisterWorkload(endpoints, o.clients(), o.maxOps(), timeout, o.seed(), base)
              .withReader(reads);
      case "bank" -> new BankWorkload(endpoints, o.clients(), o.maxOps(), timeout, o.seed(), base);
      default -> new SetWorkload(endpoints, o.clients(), o.maxOps(), timeout, o.seed(), base);
    };
  }

  private DrillRun() {}

  public static DrillReport run(Options o) throws IOException, InterruptedException {
    Files.createDirectories(o.outDir());
    List<Nemesis.FaultWindow> windows = Collections.synchronizedList(new ArrayList<>());
    long durationMs = o.duration().toMillis();
    List<Nemesis.PlannedFault> plan = plan(o);
    AtomicInteger cutOff = new AtomicInteger();
    Properties extra = new Properties();
    if (o.unsafeAckBeforeCommit()) {
      extra.setProperty("unsafe.ack-before-commit", "true");
    }
    List<Workload> workloads = new ArrayList<>();
    KeyPartitions partitions;
    long start;
    long finalReads;
    long finalReadsEnd;
    try (ProcessNodes nodes =
        new ProcessNodes(
            o.outDir().resolve("nodes"), o.nodes(), ProcessNodes.defaultBase(o.nodes()), extra)) {
      if (o.needsPartitions() && !nodes.canPartition()) {
        throw new IllegalStateException(
            "network faults need nftables: " + nodes.noPartitionReason());
      }
      nodes.startAll();
      nodes.awaitLeaders(Duration.ofSeconds(120));
      try (PinnedReads reads =
              new PinnedReads(
                  o.reads(),
                  o.pinReads(),
                  nodes.clientEndpoints(),
                  cutOff::get,
                  Duration.ofSeconds(1));
          KvClient admin =
              KvClient.builder()
                  .endpoints(nodes.clientEndpoints())
                  .timeout(Duration.ofSeconds(5))
                  .attemptTimeout(Duration.ofSeconds(2))
                  .build()) {
        partitions = new KeyPartitions(admin.clusterMap().getPartitionCount());
        for (int i = 0; i < o.workloads().size(); i++) {
          Workload w = workload(o.workloads().get(i), nodes.clientEndpoints(), o, i, reads);
          w.setup(admin, System.nanoTime() + FINAL_READS.toNanos());
          workloads.add(w);
        }
        start = System.nanoTime();
        if (!workloads.isEmpty()) {
          runWorkloads(
              workloads, plan, nodes, start, start + o.duration().toNanos(), windows, cutOff);
          nodes.awaitLeaders(Duration.ofSeconds(60));
          Thread.sleep(QUIET.toMillis()); // the quiet period is part of the drill's timeline
        }
        finalReads = System.nanoTime();
        for (Workload w : workloads) {
          w.finalReads(admin, System.nanoTime() + FINAL_READS.toNanos());
        }
        finalReadsEnd = System.nanoTime();
        if (o.control() != null) {
          LostWriteControl control =
              new LostWriteControl(
                  nodes,
                  partitions,
                  o.seed(),
                  (workloads.size() + 1) * PROCESS_BLOCK,
                  windows::add);
          control.run(System.nanoTime() + FINAL_READS.toNanos());
          Thread.sleep(QUIET.toMillis()); // the quiet period is part of the drill's timeline
          control.finalReads(admin, System.nanoTime() + FINAL_READS.toNanos());
          workloads.add(control);
        }
      }
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    List<Event> events = new ArrayList<>();
    Map<String, History> histories = new LinkedHashMap<>();
    List<WorkloadCheck> checks = new ArrayList<>();
    List<KeyResult> keys = new ArrayList<>();
    for (Workload w : workloads) {
      History h = w.history();
      histories.put(w.name(), h);
      events.addAll(h.events());
      WorkloadCheck c = w.check();
      checks.add(c);
      if (c.linearizability() != null) {
        keys.addAll(c.linearizability().keys());
      }
    }
    History history = new History(events);
    try (Writer out = Files.newBufferedWriter(o.outDir().resolve("history.jsonl"))) {
      history.writeJsonl(out);
    }
    CheckResult check = new CheckResult(keys);
    List<Nemesis.FaultWindow> faults;
    synchronized (windows) {
      faults = List.copyOf(windows);
    }
    String chart = "chart.png";
    DrillChart.write(
        o.outDir().resolve(chart),
        String.format(
            "kv drill: %s%s, seed %d, %d nodes",
            String.join("+", o.workloads()),
            o.control() == null ? "" : (o.workloads().isEmpty() ? "" : " + ") + o.control(),
            o.seed(),
            o.nodes()),
        history,
        faults,
        start,
        finalReads,
        finalReadsEnd);
    DrillReport report =
        new DrillReport(
            o.seed(),
            o.nodes(),
            o.clients(),
            o.workloads().isEmpty() ? elapsedMs : Math.min(elapsedMs, durationMs),
            o.outDir(),
            history,
            check,
            faults,
            start,
            checks,
            histories,
            partitions,
            finalReads,
            chart);
    Files.writeString(
        o.outDir().resolve("report.json"), JsonOut.write(report.toJson()), StandardCharsets.UTF_8);
    Files.writeString(o.outDir().resolve("report.md"), report.toMarkdown(), StandardCharsets.UTF_8);
    return report;
  }

  /** Runs every workload (one thread each) and the nemesis until the deadline; heals. */
  private static void runWorkloads(
      List<Workload> workloads,
      List<Nemesis.PlannedFault> plan,
      ProcessNodes nodes,
      long start,
      long deadline,
      List<Nemesis.FaultWindow> windows,
      AtomicInteger cutOff)
      throws InterruptedException {
    Throwable[] nemesisError = {null};
    Thread nemesis =
        new Thread(
            () -> {
              try {
                Nemesis.run(plan, nodes, start, windows::add, cutOff::set);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                nemesisError[0] = e;
              }
            },
            "drill-nemesis");
    nemesis.setDaemon(true);
    nemesis.start();
    List<Thread> runners = new ArrayList<>();
    Throwable[] workloadError = {null};
    try {
      for (Workload w : workloads) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    w.run(deadline);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (RuntimeException e) {
                    workloadError[0] = e;
                  }
                },
                "drill-" + w.name());
        t.setDaemon(true);
        runners.add(t);
        t.start();
      }
      for (Thread t : runners) {
        t.join();
      }
    } finally {
      workloads.forEach(Workload::stop);
      for (Thread t : runners) {
        t.join(60_000);
      }
      nemesis.interrupt();
      nemesis.join(60_000);
      nodes.heal();
    }
    if (nemesisError[0] != null) {
      throw new IllegalStateException("nemesis failed", nemesisError[0]);
    }
    if (workloadError[0] != null) {
      throw new IllegalStateException("workload failed", workloadError[0]);
    }
  }
}
