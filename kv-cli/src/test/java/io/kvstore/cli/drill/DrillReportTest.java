package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.LinearizabilityChecker;
import io.kvstore.cli.check.RegisterModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillReportTest {
  private static final long MS = 1_000_000;

  @Test
  void windowStatsMeasureWriteGapsAndRecovery() {
    History h =
        History.of(
            Event.invoke(0, "write", "k", "a", 0),
            Event.ok(0, "write", "k", "a", 100 * MS),
            Event.invoke(0, "write", "k", "b", 150 * MS),
            Event.ok(0, "write", "k", "b", 300 * MS),
            Event.invoke(0, "read", "k", null, 400 * MS),
            Event.ok(0, "read", "k", "b", 1_000 * MS),
            Event.invoke(0, "write", "k", "c", 1_000 * MS),
            Event.ok(0, "write", "k", "c", 1_900 * MS));
    CheckResult check = new LinearizabilityChecker(RegisterModel.absent()).check(h);
    List<Nemesis.FaultWindow> faults =
        List.of(
            new Nemesis.FaultWindow(Nemesis.Kind.PAUSE, 1, 200 * MS, 1_500 * MS),
            new Nemesis.FaultWindow(Nemesis.Kind.KILL, 0, 2_000 * MS, 2_500 * MS));
    DrillReport r = new DrillReport(1, 3, 1, 3000, null, h, check, faults, 0);
    List<DrillReport.WindowStats> s = r.windowStats();
    // Window 1: last success inside at 300 ms, next at 1900 ms (400 ms after the end at 1500).
    assertEquals(1600.0, s.get(0).longestWriteGapMs());
    assertEquals(400.0, s.get(0).firstWriteAfterMs());
    // Window 2: nothing succeeds in or after it.
    assertEquals(500.0, s.get(1).longestWriteGapMs());
    assertNull(s.get(1).firstWriteAfterMs());
    assertEquals(2L, r.counts().get("write").get("ok") - 1);
  }
}
