package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.cli.check.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: three node processes, the register workload under kill -9 and SIGSTOP faults, final
 * reads, then the lost-write control schedule on the same (correct) cluster, which must stay clean.
 */
class DrillRunTest {
  private static final Duration DURATION = Duration.ofSeconds(20);

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void registerHistoryUnderKillAndPauseIsLinearizable(@TempDir Path dir) throws Exception {
    long seed = seedWithKillAndPause();
    DrillReport report =
        DrillRun.run(
            new DrillRun.Options(
                3,
                DURATION,
                5,
                seed,
                dir,
                1_000_000,
                List.of("register"),
                DrillRun.LOST_WRITE,
                false));

    System.out.println(report.summary());
    Map<String, Map<String, Long>> counts = report.counts();
    for (String f : List.of("read", "write", "cas")) {
      assertTrue(counts.containsKey(f) && counts.get(f).getOrDefault("ok", 0L) > 0, f + counts);
    }
    assertEquals(Verdict.LINEARIZABLE, report.check().verdict(), report.check().toString());
    assertEquals(List.of(), report.anomalies());
    assertTrue(report.passed());
    // Few writers per key: a good share of cas find the value their client last saw.
    Map<String, Object> stats = report.workload("register").stats();
    assertTrue((Long) stats.get("casOk") > 0, stats.toString());
    // The final phase read every register key.
    long finalReads =
        report.histories().get("register").operations().stream()
            .filter(op -> op.process() % DrillRun.PROCESS_BLOCK >= RegisterWorkload.FINAL_PROCESS)
            .count();
    assertTrue(finalReads >= (Integer) stats.get("keys"), finalReads + " " + stats);
    // Without the seeded bug the control's write through the isolated leader is never ok.
    Map<String, Object> control = report.workload("lost-write-control").stats();
    assertEquals("c0", control.get("finalValue"), control.toString());
    assertTrue(!control.get("c1").equals("ok"), control.toString());
    assertTrue(Files.size(dir.resolve("chart.png")) > 0);
    assertTrue(report.faults().stream().anyMatch(w -> w.kind() == Nemesis.Kind.KILL));
    assertTrue(report.faults().stream().anyMatch(w -> w.kind() == Nemesis.Kind.PAUSE));
    for (String file : List.of("history.jsonl", "report.md", "report.json", "chart.png")) {
      assertTrue(Files.size(dir.resolve(file)) > 0, file);
    }
    assertTrue(
        Files.readString(dir.resolve("report.json")).contains("\"verdict\": \"LINEARIZABLE\""));
  }

  /** The first seed whose schedule for this duration holds both a kill and a pause. */
  private static long seedWithKillAndPause() {
    Nemesis.Params p =
        Nemesis.Params.defaults(DURATION.toMillis(), 3, ProcessNodes.ELECTION_TIMEOUT_MAX_MS);
    for (long seed = 1; ; seed++) {
      List<Nemesis.PlannedFault> plan = Nemesis.plan(seed, p);
      boolean kill = plan.stream().anyMatch(f -> f.kind() == Nemesis.Kind.KILL);
      boolean pause = plan.stream().anyMatch(f -> f.kind() == Nemesis.Kind.PAUSE);
      if (kill && pause) {
        return seed;
      }
    }
  }
}
