package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.LinearizabilityChecker;
import io.kvstore.cli.check.Operation;
import io.kvstore.cli.check.RegisterModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workloads' own checks, the per-partition figures and the chart, on made-up histories. */
class DrillChecksTest {
  private static final long MS = 1_000_000;

  private static List<Operation> ops(Event... events) {
    return History.of(events).operations();
  }

  @Test
  void registerLostWriteNeedsAnOkWriteInvokedAfterTheFinalValuesWriter() {
    List<Operation> ops =
        ops(
            Event.invoke(0, "write", "k", "a", 0),
            Event.ok(0, "write", "k", "a", 10),
            Event.invoke(0, "write", "k", "b", 20),
            Event.ok(0, "write", "k", "b", 30),
            Event.invoke(1, "write", "k", "c", 40),
            Event.info(1, "write", "k", "c", 50));
    List<Anomaly> lost = RegisterWorkload.lostWrites("register", ops, Map.of("k", "a"));
    assertEquals(1, lost.size(), lost.toString());
    assertEquals("lost-write", lost.get(0).kind());
    assertTrue(lost.get(0).detail().contains("b"));
    // The latest value, or one written by an indeterminate write, is no loss.
    assertEquals(List.of(), RegisterWorkload.lostWrites("register", ops, Map.of("k", "b")));
    assertEquals(List.of(), RegisterWorkload.lostWrites("register", ops, Map.of("k", "c")));
    // Absent after acknowledged writes; a value nobody wrote.
    Map<String, String> absent = new HashMap<>();
    absent.put("k", null);
    assertEquals("lost-write", RegisterWorkload.lostWrites("r", ops, absent).get(0).kind());
    assertEquals(
        "invented-value", RegisterWorkload.lostWrites("r", ops, Map.of("k", "zz")).get(0).kind());
  }

  @Test
  void setCheckFindsLostAndInventedElementsAndAllowsIndeterminateAdds() {
    List<Operation> ops =
        ops(
            Event.invoke(0, "add", "s/e1", "e1", 0),
            Event.ok(0, "add", "s/e1", "e1", 1),
            Event.invoke(0, "add", "s/e2", "e2", 2),
            Event.ok(0, "add", "s/e2", "e2", 3),
            Event.invoke(1, "add", "s/e3", "e3", 2),
            Event.info(1, "add", "s/e3", "e3", 3),
            Event.invoke(2, "add", "s/e4", "e4", 2),
            Event.fail(2, "add", "s/e4", "e4", 3));
    assertTrue(SetWorkload.check("set", ops, Set.of("e1", "e2")).passed());
    assertTrue(SetWorkload.check("set", ops, Set.of("e1", "e2", "e3")).passed());
    List<String> kinds =
        SetWorkload.check("set", ops, Set.of("e1", "e4", "x9")).anomalies().stream()
            .map(Anomaly::kind)
            .toList();
    assertEquals(List.of("failed-add-present", "lost-element", "invented-element"), kinds);
    assertFalse(SetWorkload.check("set", ops, null).passed());
  }

  @Test
  void bankCheckComparesReadsLedgerAndBalances() {
    int n = BankWorkload.ACCOUNTS;
    List<String> opening = new ArrayList<>();
    List<Long> balances = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opening.add("100");
      balances.add(100L);
    }
    List<String> badRead = new ArrayList<>(opening);
    badRead.set(0, "99");
    List<Operation> ops =
        ops(
            Event.invoke(0, "read", "b", null, 0),
            Event.ok(0, "read", "b", opening, 1),
            Event.invoke(0, "transfer", "b", List.of("t1", "0", "1", "5"), 2),
            Event.ok(0, "transfer", "b", List.of("t1", "0", "1", "5"), 3),
            Event.invoke(1, "transfer", "b", List.of("t2", "1", "2", "3"), 2),
            Event.info(1, "transfer", "b", List.of("t2", "1", "2", "3"), 3),
            Event.invoke(2, "transfer", "b", List.of("t3", "2", "3", "1"), 2),
            Event.fail(2, "transfer", "b", List.of("t3", "2", "3", "1"), 3));
    List<Long> after = new ArrayList<>(balances);
    after.set(0, 95L);
    after.set(1, 105L);
    WorkloadCheck clean = BankWorkload.check("bank", "b", ops, after, Map.of("t1", "0 1 5"));
    assertTrue(clean.passed(), clean.anomalies().toString());
    // The indeterminate transfer applied: fine, and counted.
    List<Long> withT2 = new ArrayList<>(after);
    withT2.set(1, 102L);
    withT2.set(2, 103L);
    WorkloadCheck applied =
        BankWorkload.check("bank", "b", ops, withT2, Map.of("t1", "0 1 5", "t2", "1 2 3"));
    assertTrue(applied.passed(), applied.anomalies().toString());
    assertEquals(1L, applied.stats().get("infoTransfersApplied"));

    assertEquals(
        List.of("lost-transfer", "ledger-mismatch"),
        kinds(BankWorkload.check("bank", "b", ops, after, Map.of())));
    assertEquals(
        List.of("failed-transfer-applied"),
        kinds(
            BankWorkload.check(
                "bank",
                "b",
                ops,
                List.of(95L, 105L, 99L, 101L, 100L, 100L, 100L, 100L),
                Map.of("t1", "0 1 5", "t3", "2 3 1"))));
    assertEquals(
        List.of("invented-transfer"),
        kinds(BankWorkload.check("bank", "b", ops, after, Map.of("t1", "0 1 5", "zz", "0 1 1"))));
    // A double-applied transfer shows in the balances only.
    List<Long> twice = new ArrayList<>(balances);
    twice.set(0, 90L);
    twice.set(1, 110L);
    assertEquals(
        List.of("ledger-mismatch"),
        kinds(BankWorkload.check("bank", "b", ops, twice, Map.of("t1", "0 1 5"))));
    List<Operation> withBadRead = new ArrayList<>(ops);
    withBadRead.addAll(
        ops(Event.invoke(5, "read", "b", null, 4), Event.ok(5, "read", "b", badRead, 5)));
    assertEquals(
        List.of("total-changed"),
        kinds(BankWorkload.check("bank", "b", withBadRead, after, Map.of("t1", "0 1 5"))));
  }

  private static List<String> kinds(WorkloadCheck c) {
    return c.anomalies().stream().map(Anomaly::kind).toList();
  }

  @Test
  void partitionStatsMeasureEachPartitionSeparately(@TempDir Path dir) throws Exception {
    KeyPartitions parts = new KeyPartitions(4);
    String a = keyIn(parts, 0);
    String b = keyIn(parts, 1);
    History h =
        History.of(
            Event.invoke(0, "write", a, "a1", 0),
            Event.ok(0, "write", a, "a1", 100 * MS),
            Event.invoke(0, "write", a, "a2", 200 * MS),
            Event.ok(0, "write", a, "a2", 1_700 * MS),
            Event.invoke(1, "write", b, "b1", 0),
            Event.ok(1, "write", b, "b1", 300 * MS),
            Event.invoke(1, "write", b, "b2", 400 * MS),
            Event.ok(1, "write", b, "b2", 600 * MS),
            // Indeterminate before the window: not in flight during it.
            Event.invoke(2, "write", keyIn(parts, 2), "c1", 0),
            Event.info(2, "write", keyIn(parts, 2), "c1", 100 * MS));
    CheckResult check = new LinearizabilityChecker(RegisterModel.absent()).check(h);
    List<Nemesis.FaultWindow> faults =
        List.of(new Nemesis.FaultWindow(Nemesis.Kind.KILL, 0, 500 * MS, 1_500 * MS));
    DrillReport r =
        new DrillReport(
            1,
            3,
            2,
            2000,
            dir,
            h,
            check,
            faults,
            0,
            List.of(),
            Map.of("register", h),
            parts,
            0,
            "chart.png");
    List<DrillReport.PartitionStats> row = r.partitionStats().get(0);
    // p0: no success from the start (500 ms) to 1700 ms, 200 ms after the end.
    assertEquals(1200.0, row.get(0).longestWriteGapMs());
    assertEquals(200.0, row.get(0).recoveryMs());
    // p1: its last write ended at 600 ms, nothing after: gap to the end of the window.
    assertEquals(900.0, row.get(1).longestWriteGapMs());
    assertNull(row.get(1).recoveryMs());
    assertFalse(row.get(2).traffic());
    assertTrue(
        r.toMarkdown()
            .contains("| kill n1 | 0.5 .. 1.5 | 1200 / 200 ms | 900 / none ms | - | - |"));

    Path png = dir.resolve("chart.png");
    DrillChart.write(png, "test", h, faults, 0, 1_600 * MS, 1_700 * MS);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1200, img.getWidth());
    DrillChart.Buckets buckets = DrillChart.buckets(h, 0, 2);
    assertEquals(3, buckets.ok()[0]);
    assertEquals(1, buckets.ok()[1]);
    assertEquals(1, buckets.notOk()[0]);
    assertEquals(1500.0, buckets.p50()[1]);
  }

  private static String keyIn(KeyPartitions parts, int partition) {
    for (int i = 0; ; i++) {
      if (parts.of("k" + i) == partition) {
        return "k" + i;
      }
    }
  }
}
