package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * End to end, one cluster each: the bank and set workloads together under kill -9 and SIGSTOP; and
 * the lost-write control against nodes started with the seeded bug, which must be caught.
 */
class DrillWorkloadsTest {
  private static final Duration DURATION = Duration.ofSeconds(15);

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void bankAndSetUnderFaultsHaveNoAnomalies(@TempDir Path dir) throws Exception {
    long seed = firstSeedWithFaults();
    DrillReport report =
        DrillRun.run(
            new DrillRun.Options(
                3, DURATION, 4, seed, dir, 1_000_000, List.of("bank", "set"), null, false));
    System.out.println(report.summary());

    assertFalse(report.faults().isEmpty());
    Map<String, Map<String, Map<String, Long>>> counts = report.countsByWorkload();
    assertTrue(counts.get("bank").get("transfer").getOrDefault("ok", 0L) > 0, counts.toString());
    assertTrue(counts.get("set").get("add").getOrDefault("ok", 0L) > 0, counts.toString());
    assertEquals(List.of(), report.anomalies());
    assertTrue(report.passed());
    Map<String, Object> bank = report.workload("bank").stats();
    assertTrue((Integer) bank.get("ledgerEntries") > 0, bank.toString());
    Map<String, Object> set = report.workload("set").stats();
    assertTrue((Integer) set.get("finalSize") > 0, set.toString());
    // Every partition holds set elements, so each fault window has per-partition figures.
    assertEquals(report.faults().size(), report.partitionStats().size());
    assertTrue(Files.size(dir.resolve("chart.png")) > 0);
    assertTrue(Files.readString(dir.resolve("report.md")).contains("](chart.png)"));
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void lostWriteControlCatchesAckBeforeCommit(@TempDir Path dir) throws Exception {
    DrillReport report =
        DrillRun.run(
            new DrillRun.Options(
                3, Duration.ofSeconds(1), 1, 7, dir, 1_000, List.of(), DrillRun.LOST_WRITE, true));
    System.out.println(report.summary());

    Map<String, Object> control = report.workload("lost-write-control").stats();
    assertEquals("ok", control.get("c1"), control.toString());
    assertFalse(report.passed());
    assertTrue(
        report.anomalies().stream().anyMatch(a -> a.kind().equals("lost-write")),
        report.anomalies().toString());
    assertFalse(report.check().isValid(), report.check().toString());
    assertTrue(Files.readString(dir.resolve("report.md")).contains("lost-write"));
    for (int i = 1; i <= 3; i++) {
      assertTrue(
          Files.readString(dir.resolve("nodes").resolve("n" + i + ".log")).contains("UNSAFE"));
    }
  }

  /** The first seed whose schedule for this duration has at least two faults. */
  private static long firstSeedWithFaults() {
    Nemesis.Params p =
        Nemesis.Params.defaults(DURATION.toMillis(), 3, ProcessNodes.ELECTION_TIMEOUT_MAX_MS);
    for (long seed = 1; ; seed++) {
      if (Nemesis.plan(seed, p).size() >= 2) {
        return seed;
      }
    }
  }
}
