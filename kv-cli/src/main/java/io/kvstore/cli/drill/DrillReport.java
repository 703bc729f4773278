package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.EventType;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.KeyResult;
import io.kvstore.cli.check.Operation;
import io.kvstore.cli.check.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The outcome of a drill: operations by workload, kind and outcome, the checker's verdict per key,
 * the workloads' own checks (anomalies), and the fault windows with availability around them,
 * overall and per partition. Times in the report are milliseconds since the workload started.
 *
 * @param history every workload's events merged (process ids are disjoint)
 * @param check the linearizability verdicts of every key of every workload that has one
 * @param workloads each workload's check; empty for a report built from a bare history
 * @param histories each workload's own history, by workload name
 * @param partitions key → partition, or null if unknown (no per-partition figures)
 * @param finalReadsNanos when the final read phase began, or 0
 * @param chart the chart's file name in {@code outDir}, or null
 */
public record DrillReport(
    long seed,
    int nodes,
    int clients,
    long durationMs,
    Path outDir,
    History history,
    CheckResult check,
    List<Nemesis.FaultWindow> faults,
    long startNanos,
    List<WorkloadCheck> workloads,
    Map<String, History> histories,
    KeyPartitions partitions,
    long finalReadsNanos,
    String chart) {

  /** A report of one register history, without workload checks, partitions or chart. */
  public DrillReport(
      long seed,
      int nodes,
      int clients,
      long durationMs,
      Path outDir,
      History history,
      CheckResult check,
      List<Nemesis.FaultWindow> faults,
      long startNanos) {
    this(
        seed,
        nodes,
        clients,
        durationMs,
        outDir,
        history,
        check,
        faults,
        startNanos,
        List.of(),
        Map.of("register", history),
        null,
        0,
        null);
  }

  /** Operations that change state; their successes measure write availability. */
  static final Set<String> WRITES = Set.of("write", "cas", "add", "transfer");

  /**
   * Passed: every checked key LINEARIZABLE (UNKNOWN counts as failure) and no workload found an
   * anomaly.
   */
  public boolean passed() {
    return check.isValid() && anomalies().isEmpty();
  }

  /** Every anomaly every workload's checks found; a correct store has none. */
  public List<Anomaly> anomalies() {
    List<Anomaly> out = new ArrayList<>();
    for (WorkloadCheck w : workloads) {
      out.addAll(w.anomalies());
    }
    return out;
  }

  /** The check of workload {@code name}, or null. */
  public WorkloadCheck workload(String name) {
    return workloads.stream().filter(w -> w.workload().equals(name)).findFirst().orElse(null);
  }

  /** Operation counts per workload: workload → f → outcome (ok, fail, info) → count. */
  public Map<String, Map<String, Map<String, Long>>> countsByWorkload() {
    Map<String, Map<String, Map<String, Long>>> out = new TreeMap<>();
    for (Map.Entry<String, History> e : histories.entrySet()) {
      out.put(e.getKey(), counts(e.getValue()));
    }
    return out;
  }

  /** Operation counts of the whole history: f → outcome (ok, fail, info) → count. */
  public Map<String, Map<String, Long>> counts() {
    return counts(history);
  }

  private static Map<String, Map<String, Long>> counts(History history) {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (Operation op : history.operations()) {
      String outcome =
          switch (op.outcome()) {
            case OK -> "ok";
            case FAIL -> "fail";
            default -> "info";
          };
      out.computeIfAbsent(op.f(), f -> new TreeMap<>()).merge(outcome, 1L, Long::sum);
    }
    return out;
  }

  /** Completion times of ok writes and cas, sorted. */
  private List<Long> okWriteTimes() {
    List<Long> times = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (op.outcome() == Operation.Outcome.OK && WRITES.contains(op.f())) {
        times.add(op.completeTime());
      }
    }
    times.sort(null);
    return times;
  }

  /** Availability around one fault window, in milliseconds; null where nothing succeeded. */
  public record WindowStats(
      Nemesis.FaultWindow window,
      double startMs,
      double endMs,
      double longestWriteGapMs,
      Double firstWriteAfterMs) {}

  public List<WindowStats> windowStats() {
    List<Long> oks = okWriteTimes();
    List<WindowStats> out = new ArrayList<>();
    for (Nemesis.FaultWindow w : faults) {
      long prev = w.startNanos();
      long gap = 0;
      Long after = null;
      for (long t : oks) {
        if (t < w.startNanos()) {
          continue;
        }
        if (t > w.endNanos()) {
          after = t - w.endNanos();
          break;
        }
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      // The gap reaching the end of the window, or on to the first success after it.
      long closing = after == null ? w.endNanos() - prev : w.endNanos() + after - prev;
      gap = Math.max(gap, closing);
      out.add(
          new WindowStats(
              w,
              ms(w.startNanos() - startNanos),
              ms(w.endNanos() - startNanos),
              ms(gap),
              after == null ? null : ms(after)));
    }
    return out;
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  /**
   * Write availability of one partition around one fault window: the longest time without a
   * successful write to the partition from the window's start until the first success after its
   * end, and that first success's delay after the end (null if none). {@code traffic} is false when
   * no write to the partition was in flight during the window; the figures are then NaN/null.
   */
  public record PartitionStats(
      int partition, boolean traffic, double longestWriteGapMs, Double recoveryMs) {}

  /** Per fault window (in {@link #windowStats()} order), one entry per partition. */
  public List<List<PartitionStats>> partitionStats() {
    List<List<PartitionStats>> out = new ArrayList<>();
    if (partitions == null) {
      return out;
    }
    int n = partitions.count();
    List<List<Long>> oks = new ArrayList<>();
    List<List<long[]>> spans = new ArrayList<>(); // {invoke, complete} of every write
    for (int p = 0; p < n; p++) {
      oks.add(new ArrayList<>());
      spans.add(new ArrayList<>());
    }
    // From the events, so an indeterminate write is in flight until its info event, not forever.
    Map<Long, Event> invoked = new HashMap<>();
    for (Event e : history.events()) {
      if (e.type() == EventType.INVOKE) {
        invoked.put(e.process(), e);
        continue;
      }
      Event inv = invoked.remove(e.process());
      if (inv == null || !WRITES.contains(inv.f())) {
        continue;
      }
      int p = partitions.of(inv.key());
      spans.get(p).add(new long[] {inv.time(), e.time()});
      if (e.type() == EventType.OK) {
        oks.get(p).add(e.time());
      }
    }
    for (Event inv : invoked.values()) { // never completed: in flight to the end
      if (WRITES.contains(inv.f())) {
        spans.get(partitions.of(inv.key())).add(new long[] {inv.time(), Long.MAX_VALUE});
      }
    }
    oks.forEach(l -> l.sort(null));
    for (Nemesis.FaultWindow w : faults) {
      List<PartitionStats> row = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        boolean traffic = false;
        for (long[] s : spans.get(p)) {
          if (s[0] <= w.endNanos() && s[1] >= w.startNanos()) {
            traffic = true;
            break;
          }
        }
        if (!traffic) {
          row.add(new PartitionStats(p, false, Double.NaN, null));
          continue;
        }
        long[] gapAfter = gap(oks.get(p), w.startNanos(), w.endNanos());
        row.add(
            new PartitionStats(p, true, ms(gapAfter[0]), gapAfter[1] < 0 ? null : ms(gapAfter[1])));
      }
      out.add(row);
    }
    return out;
  }

  /** {longest gap, first success after end (-1: none)} over sorted success times. */
  private static long[] gap(List<Long> oks, long start, long end) {
    long prev = start;
    long gap = 0;
    long after = -1;
    for (long t : oks) {
      if (t < start) {
        continue;
      }
      if (t > end) {
        after = t - end;
        break;
      }
      gap = Math.max(gap, t - prev);
      prev = t;
    }
    long closing = after < 0 ? end - prev : end + after - prev;
    return new long[] {Math.max(gap, closing), after};
  }

  public Map<String, Object> toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("seed", seed);
    root.put("nodes", nodes);
    root.put("clients", clients);
    root.put("durationMs", durationMs);
    root.put("verdict", check.verdict().toString());
    root.put("linearizable", check.isValid());
    root.put("passed", passed());
    root.put("operations", countsByWorkload());
    List<Object> an = new ArrayList<>();
    for (Anomaly a : anomalies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workload", a.workload());
      m.put("kind", a.kind());
      m.put("key", a.key());
      m.put("detail", a.detail());
      an.add(m);
    }
    root.put("anomalies", an);
    Map<String, Object> ws = new LinkedHashMap<>();
    for (WorkloadCheck w : workloads) {
      Map<String, Object> m = new LinkedHashMap<>(new TreeMap<>(w.stats()));
      m.put("passed", w.passed());
      m.put("anomalies", w.anomalies().size());
      if (w.linearizability() != null) {
        m.put("verdict", w.linearizability().verdict().toString());
      }
      ws.put(w.workload(), m);
    }
    root.put("workloads", ws);
    List<Object> keys = new ArrayList<>();
    for (KeyResult k : check.keys()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", k.key());
      m.put("verdict", k.verdict().toString());
      m.put("operations", k.operations());
      m.put("steps", k.steps());
      if (k.explanation() != null) {
        m.put("explanation", k.explanation().toString());
      }
      keys.add(m);
    }
    root.put("keys", keys);
    List<Object> windows = new ArrayList<>();
    List<WindowStats> stats = windowStats();
    List<List<PartitionStats>> perPartition = partitionStats();
    for (int i = 0; i < stats.size(); i++) {
      WindowStats s = stats.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", s.window().kind().label());
      m.put("node", "n" + (s.window().node() + 1));
      m.put("nodes", s.window().nodes().stream().map(n -> "n" + (n + 1)).toList());
      m.put("detail", s.window().detail());
      m.put("startMs", s.startMs());
      m.put("endMs", s.endMs());
      m.put("startNanos", s.window().startNanos());
      m.put("endNanos", s.window().endNanos());
      m.put("longestWriteGapMs", s.longestWriteGapMs());
      m.put("firstWriteAfterMs", s.firstWriteAfterMs());
      if (i < perPartition.size()) {
        List<Object> ps = new ArrayList<>();
        for (PartitionStats p : perPartition.get(i)) {
          Map<String, Object> pm = new LinkedHashMap<>();
          pm.put("partition", p.partition());
          pm.put("traffic", p.traffic());
          pm.put("longestWriteGapMs", p.traffic() ? p.longestWriteGapMs() : null);
          pm.put("recoveryMs", p.recoveryMs());
          ps.add(pm);
        }
        m.put("partitions", ps);
      }
      windows.add(m);
    }
    root.put("faults", windows);
    if (chart != null) {
      root.put("chart", chart);
    }
    return root;
  }

  /** The report as Markdown: the summary, the chart, per-partition availability, keys. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# kv drill report\n\n");
    sb.append("```\n").append(summary()).append("```\n\n");
    if (chart != null) {
      sb.append("## Throughput and latency\n\n");
      sb.append("![throughput and latency over time](").append(chart).append(")\n\n");
      sb.append(
          "One-second buckets by completion time; fault windows shaded (kill red, pause blue,"
              + " network and leadership faults grey),"
              + " final read phase green.\n\n");
    }
    List<List<PartitionStats>> perPartition = partitionStats();
    if (!perPartition.isEmpty()) {
      sb.append("## Write availability per partition\n\n");
      sb.append(
          "Per fault window and partition: longest time without a successful write (from the"
              + " window's start to the first success after it) / time from the end of the window"
              + " to the first successful write; `-` no write to the partition was in flight.\n\n");
      sb.append("| fault | window (s) |");
      for (int p = 0; p < partitions.count(); p++) {
        sb.append(" p").append(p).append(" |");
      }
      sb.append("\n|---|---|");
      sb.append("---|".repeat(partitions.count()));
      sb.append('\n');
      List<WindowStats> ws = windowStats();
      for (int i = 0; i < ws.size(); i++) {
        WindowStats s = ws.get(i);
        sb.append(
            String.format(
                "| %s %s | %.1f .. %.1f |",
                s.window().kind().label(),
                s.window().detail().replace("|", "\\|"),
                s.startMs() / 1000,
                s.endMs() / 1000));
        for (PartitionStats p : perPartition.get(i)) {
          if (!p.traffic()) {
            sb.append(" - |");
          } else {
            sb.append(
                String.format(
                    " %.0f / %s ms |",
                    p.longestWriteGapMs(),
                    p.recoveryMs() == null ? "none" : String.format("%.0f", p.recoveryMs())));
          }
        }
        sb.append('\n');
      }
      sb.append('\n');
    }
    List<Anomaly> anomalies = anomalies();
    if (!anomalies.isEmpty()) {
      sb.append("## Anomalies\n\n");
      for (Anomaly a : anomalies) {
        sb.append("- ").append(a).append('\n');
      }
      sb.append('\n');
    }
    sb.append("## Keys\n\n| key | verdict | operations | steps |\n|---|---|---|---|\n");
    for (KeyResult k : check.keys()) {
      sb.append("| ")
          .append(k.key())
          .append(" | ")
          .append(k.verdict())
          .append(" | ")
          .append(k.operations())
          .append(" | ")
          .append(k.steps())
          .append(" |\n");
    }
    for (KeyResult k : check.failures()) {
      sb.append("\n### ").append(k.key()).append("\n\n```\n").append(k).append("\n```\n");
    }
    return sb.toString();
  }

  /** A one-screen summary. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "kv drill run: seed %d, %d nodes, %d clients, %.1f s%n",
            seed, nodes, clients, durationMs / 1000.0));
    sb.append(String.format("%nOperations (ok / fail / info):%n"));
    for (Map.Entry<String, Map<String, Map<String, Long>>> w : countsByWorkload().entrySet()) {
      for (Map.Entry<String, Map<String, Long>> e : w.getValue().entrySet()) {
        Map<String, Long> c = e.getValue();
        sb.append(
            String.format(
                "  %-20s %-11s %7d / %5d / %5d%n",
                w.getKey(),
                e.getKey(),
                c.getOrDefault("ok", 0L),
                c.getOrDefault("fail", 0L),
                c.getOrDefault("info", 0L)));
      }
    }
    for (WorkloadCheck w : workloads) {
      sb.append(String.format("  %-20s %s%n", w.workload(), new TreeMap<>(w.stats())));
    }
    sb.append(String.format("%nFaults:%n"));
    if (faults.isEmpty()) {
      sb.append("  none\n");
    }
    for (WindowStats s : windowStats()) {
      sb.append(
          String.format(
              "  %-14s %-16s %7.1f .. %7.1f s  longest write gap %6.0f ms, first write after %s%n",
              s.window().kind().label(),
              s.window().detail(),
              s.startMs() / 1000,
              s.endMs() / 1000,
              s.longestWriteGapMs(),
              s.firstWriteAfterMs() == null
                  ? "none"
                  : String.format("%.0f ms", s.firstWriteAfterMs())));
    }
    long bad = check.keys().stream().filter(k -> k.verdict() != Verdict.LINEARIZABLE).count();
    sb.append(
        String.format(
            "%nChecker: %s (%d keys, %d not linearizable or unknown)%n",
            check.verdict(), check.keys().size(), bad));
    List<Anomaly> anomalies = anomalies();
    sb.append(String.format("Anomalies: %d%n", anomalies.size()));
    for (int i = 0; i < Math.min(10, anomalies.size()); i++) {
      sb.append("  ").append(anomalies.get(i)).append('\n');
    }
    sb.append("Verdict: ").append(passed() ? "PASS" : "FAIL").append('\n');
    if (outDir != null) {
      sb.append("Report:  ").append(outDir.resolve("report.md")).append('\n');
      if (chart != null) {
        sb.append("Chart:   ").append(outDir.resolve(chart)).append('\n');
      }
    }
    return sb.toString();
  }
}
