package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvstore.cli.check.KeyResult;
import io.kvstore.cli.check.Verdict;
import io.kvstore.client.ReadOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults end to end: three node processes under their own uids, nftables cuts. Needs root
 * and nft; skipped without them, unless {@code KV_DRILL_REQUIRE_NFT=1} (CI), where their absence
 * fails the test.
 */
class DrillPartitionTest {
  private static final Duration CONTROL = Duration.ofSeconds(20);
  private static final Duration SCHEDULE = Duration.ofSeconds(45);

  @BeforeEach
  void needsNftables() {
    String reason = NftPartitions.unusableReason();
    if (reason != null && "1".equals(System.getenv("KV_DRILL_REQUIRE_NFT"))) {
      fail("KV_DRILL_REQUIRE_NFT=1 but partitions are impossible: " + reason);
    }
    assumeTrue(reason == null, reason);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void staleReadControlIsCaught(@TempDir Path dir) throws Exception {
    DrillReport report = control(dir, ReadOptions.ANY);
    System.out.println(report.summary());
    assertEquals(Verdict.NOT_LINEARIZABLE, report.check().verdict(), report.summary());
    assertFalse(report.passed());
    List<KeyResult> bad = report.check().failures();
    assertTrue(bad.stream().anyMatch(k -> k.verdict() == Verdict.NOT_LINEARIZABLE));
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void sameScheduleWithLinearizableReadsIsClean(@TempDir Path dir) throws Exception {
    DrillReport report = control(dir, ReadOptions.LINEARIZABLE);
    System.out.println(report.summary());
    assertTrue(report.counts().get("read").getOrDefault("ok", 0L) > 0, report.summary());
    assertTrue(report.counts().get("write").getOrDefault("ok", 0L) > 0, report.summary());
    assertEquals(Verdict.LINEARIZABLE, report.check().verdict(), report.check().toString());
  }

  /** The control's schedule: the leader of partition 0 cut off for 8 s, reads pinned to it. */
  private static DrillReport control(Path dir, ReadOptions reads) throws Exception {
    DrillReport report =
        DrillRun.run(
            new DrillRun.Options(
                3,
                CONTROL,
                4,
                11,
                dir,
                1_000_000,
                Set.of(Nemesis.Kind.ISOLATE_LEADER),
                true,
                reads,
                true));
    assertFalse(report.faults().isEmpty(), "the leader was never isolated");
    assertTrue(report.faults().stream().allMatch(w -> w.kind() == Nemesis.Kind.ISOLATE_LEADER));
    return report;
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void shortScheduleOfPartitionsKillsAndPausesIsLinearizable(@TempDir Path dir) throws Exception {
    Set<Nemesis.Kind> kinds =
        EnumSet.of(
            Nemesis.Kind.KILL,
            Nemesis.Kind.PAUSE,
            Nemesis.Kind.ISOLATE,
            Nemesis.Kind.ISOLATE_LEADER,
            Nemesis.Kind.MAJORITY,
            Nemesis.Kind.BRIDGE,
            Nemesis.Kind.TRANSFER);
    long seed = seedWithPartitionKillAndPause(kinds);
    DrillReport report =
        DrillRun.run(
            new DrillRun.Options(
                3,
                SCHEDULE,
                5,
                seed,
                dir,
                1_000_000,
                kinds,
                false,
                ReadOptions.LINEARIZABLE,
                false));
    System.out.println(report.summary());
    assertTrue(report.faults().stream().anyMatch(w -> w.kind().network()), report.summary());
    assertTrue(report.faults().stream().anyMatch(w -> w.kind() == Nemesis.Kind.KILL));
    assertTrue(report.faults().stream().anyMatch(w -> w.kind() == Nemesis.Kind.PAUSE));
    for (String f : List.of("read", "write")) {
      assertTrue(report.counts().get(f).getOrDefault("ok", 0L) > 0, f);
    }
    assertEquals(Verdict.LINEARIZABLE, report.check().verdict(), report.check().toString());
  }

  /** The first seed whose schedule holds a network fault, a kill and a pause. */
  private static long seedWithPartitionKillAndPause(Set<Nemesis.Kind> kinds) {
    Nemesis.Params p =
        Nemesis.Params.defaults(SCHEDULE.toMillis(), 3, ProcessNodes.ELECTION_TIMEOUT_MAX_MS)
            .withKinds(kinds);
    for (long seed = 1; ; seed++) {
      List<Nemesis.PlannedFault> plan = Nemesis.plan(seed, p);
      if (plan.stream().anyMatch(f -> f.kind().network())
          && plan.stream().anyMatch(f -> f.kind() == Nemesis.Kind.KILL)
          && plan.stream().anyMatch(f -> f.kind() == Nemesis.Kind.PAUSE)) {
        return seed;
      }
    }
  }
}
