package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.LinearizabilityChecker;
import io.kvstore.cli.check.RegisterModel;
import io.kvstore.client.ReadOptions;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One drill: start {@code nodes} node processes, run the {@link RegisterWorkload} for {@code
 * duration} while the {@link Nemesis} kills and pauses nodes, heal, stop the nodes, check the
 * history and write {@code history.jsonl}, {@code report.md} and {@code report.json} (plus node
 * configs, data and logs under {@code nodes/}) into {@code outDir}.
 */
public final class DrillRun {
  /**
   * What to run. {@code kinds}: the fault kinds of the seeded schedule; {@code staleReadControl}:
   * instead of it, the fixed schedule of {@link Nemesis#staleReadControl}; {@code reads}: the read
   * level; {@code pinReads}: every other client reads straight from the node last cut off (see
   * {@link PinnedReads}).
   */
  public record Options(
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
    public Options {
      if (nodes < 1 || clients < 1 || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("nodes, clients and duration must be positive");
      }
      kinds = Set.copyOf(kinds);
    }

    /** Kills and pauses, linearizable reads through the leader. */
    public Options(int nodes, Duration duration, int clients, long seed, Path outDir, long maxOps) {
      this(
          nodes,
          duration,
          clients,
          seed,
          outDir,
          maxOps,
          Nemesis.PROCESS,
          false,
          ReadOptions.LINEARIZABLE,
          false);
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

  private DrillRun() {}

  public static DrillReport run(Options o) throws IOException, InterruptedException {
    Files.createDirectories(o.outDir());
    HistoryRecorder recorder = new HistoryRecorder();
    List<Nemesis.FaultWindow> windows = Collections.synchronizedList(new ArrayList<>());
    long durationMs = o.duration().toMillis();
    List<Nemesis.PlannedFault> plan = plan(o);
    AtomicInteger cutOff = new AtomicInteger();
    long start;
    try (ProcessNodes nodes =
        new ProcessNodes(
            o.outDir().resolve("nodes"),
            o.nodes(),
            ProcessNodes.defaultBase(o.nodes()),
            new Properties())) {
      if (o.needsPartitions() && !nodes.canPartition()) {
        throw new IllegalStateException(
            "network faults need nftables: " + nodes.noPartitionReason());
      }
      nodes.startAll();
      nodes.awaitLeaders(Duration.ofSeconds(120));
      RegisterWorkload workload =
          new RegisterWorkload(
              nodes.clientEndpoints(),
              o.clients(),
              o.maxOps(),
              Duration.ofSeconds(2),
              o.seed(),
              recorder);
      PinnedReads reads =
          new PinnedReads(
              o.reads(), o.pinReads(), nodes.clientEndpoints(), cutOff::get, Duration.ofSeconds(1));
      workload.withReader(reads);
      start = System.nanoTime();
      long deadline = start + o.duration().toNanos();
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
      try {
        workload.run(deadline);
      } finally {
        workload.stop();
        nemesis.interrupt();
        nemesis.join(60_000);
        nodes.heal();
        reads.close();
      }
      if (nemesisError[0] != null) {
        throw new IllegalStateException("nemesis failed", nemesisError[0]);
      }
    }
    History history = recorder.snapshot();
    try (Writer w = Files.newBufferedWriter(o.outDir().resolve("history.jsonl"))) {
      history.writeJsonl(w);
    }
    CheckResult check = new LinearizabilityChecker(RegisterModel.absent()).check(history);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    List<Nemesis.FaultWindow> faults;
    synchronized (windows) {
      faults = List.copyOf(windows);
    }
    DrillReport report =
        new DrillReport(
            o.seed(),
            o.nodes(),
            o.clients(),
            Math.min(elapsedMs, durationMs),
            o.outDir(),
            history,
            check,
            faults,
            start);
    Files.writeString(
        o.outDir().resolve("report.json"), JsonOut.write(report.toJson()), StandardCharsets.UTF_8);
    Files.writeString(o.outDir().resolve("report.md"), report.toMarkdown(), StandardCharsets.UTF_8);
    return report;
  }
}
