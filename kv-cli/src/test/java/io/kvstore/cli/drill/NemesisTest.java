package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NemesisTest {
  private static final Nemesis.Params PARAMS = Nemesis.Params.defaults(60_000, 3, 1000);

  @Test
  void sameSeedSameSchedule() {
    assertEquals(Nemesis.plan(42, PARAMS), Nemesis.plan(42, PARAMS));
    assertNotEquals(Nemesis.plan(42, PARAMS), Nemesis.plan(43, PARAMS));
  }

  @Test
  void scheduleAlternatesQuietAndFaultWindowsWithinBounds() {
    for (long seed = 0; seed < 200; seed++) {
      List<Nemesis.PlannedFault> plan = Nemesis.plan(seed, PARAMS);
      assertFalse(plan.isEmpty(), "seed " + seed);
      long quietUntil = 0;
      for (Nemesis.PlannedFault f : plan) {
        assertTrue(f.startMs() - quietUntil >= PARAMS.quietMinMs(), "quiet window before " + f);
        assertTrue(f.node() >= 0 && f.node() < 3, f.toString());
        if (f.kind() == Nemesis.Kind.PAUSE) {
          assertTrue(f.lengthMs() >= 1000 && f.lengthMs() <= 10_000, f.toString());
        } else {
          assertTrue(f.lengthMs() >= 500 && f.lengthMs() <= 3_000, f.toString());
        }
        quietUntil = f.startMs() + f.lengthMs();
      }
      assertTrue(quietUntil <= 60_000 - PARAMS.finalQuietMs(), "final quiet period");
    }
  }

  @Test
  void bothKindsOccur() {
    long kills = 0;
    long pauses = 0;
    for (long seed = 0; seed < 50; seed++) {
      for (Nemesis.PlannedFault f : Nemesis.plan(seed, PARAMS)) {
        if (f.kind() == Nemesis.Kind.KILL) {
          kills++;
        } else {
          pauses++;
        }
      }
    }
    assertTrue(kills > 0 && pauses > 0);
  }
}
