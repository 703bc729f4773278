package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.KeyResult;
import io.kvstore.cli.check.Operation;
import io.kvstore.cli.check.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a drill: operations by kind and outcome, the checker's verdict per key, and the
 * fault windows with availability around them. Times in the report are milliseconds since the
 * workload started.
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
    long startNanos) {

  /** Linearizable: every key LINEARIZABLE (UNKNOWN counts as failure). */
  public boolean passed() {
    return check.isValid();
  }

  /** Operation counts: f → outcome (ok, fail, info) → count. */
  public Map<String, Map<String, Long>> counts() {
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
      if (op.outcome() == Operation.Outcome.OK && !op.f().equals("read")) {
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

  public Map<String, Object> toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("seed", seed);
    root.put("nodes", nodes);
    root.put("clients", clients);
    root.put("durationMs", durationMs);
    root.put("verdict", check.verdict().toString());
    root.put("linearizable", passed());
    root.put("operations", counts());
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
    for (WindowStats s : windowStats()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", s.window().kind().label());
      m.put("node", "n" + (s.window().node() + 1));
      m.put("nodes", s.window().nodes().stream().map(i -> "n" + (i + 1)).toList());
      m.put("detail", s.window().detail());
      m.put("startMs", s.startMs());
      m.put("endMs", s.endMs());
      m.put("startNanos", s.window().startNanos());
      m.put("endNanos", s.window().endNanos());
      m.put("longestWriteGapMs", s.longestWriteGapMs());
      m.put("firstWriteAfterMs", s.firstWriteAfterMs());
      windows.add(m);
    }
    root.put("faults", windows);
    return root;
  }

  /** The report as Markdown; {@code summary()} plus the per-key table. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# kv drill report\n\n");
    sb.append("```\n").append(summary()).append("```\n\n");
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
    for (Map.Entry<String, Map<String, Long>> e : counts().entrySet()) {
      Map<String, Long> c = e.getValue();
      sb.append(
          String.format(
              "  %-6s %7d / %5d / %5d%n",
              e.getKey(),
              c.getOrDefault("ok", 0L),
              c.getOrDefault("fail", 0L),
              c.getOrDefault("info", 0L)));
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
    if (outDir != null) {
      sb.append("Report:  ").append(outDir.resolve("report.md")).append('\n');
    }
    return sb.toString();
  }
}
