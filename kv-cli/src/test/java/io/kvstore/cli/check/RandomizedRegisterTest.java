package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Ground truth from {@link RegisterSimulation}: correct histories must pass and each must fail once
 * one read is made stale. Fixed seeds, so a failure reproduces; the seed is in the message.
 */
class RandomizedRegisterTest {
  private static final RegisterSimulation.Settings SETTINGS =
      new RegisterSimulation.Settings(
          /* clients= */ 8,
          /* operations= */ 600,
          /* minPerKey= */ 100,
          /* maxPerKey= */ 300,
          /* indeterminate= */ 0.05,
          /* maxDuration= */ 1000,
          /* seed= */ 0);
  private static final int SEEDS = 40;
  private static final LinearizabilityChecker CHECKER =
      new LinearizabilityChecker(RegisterModel.absent());

  @Test
  void historiesOfACorrectRegister_areLinearizable() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      History h = RegisterSimulation.run(SETTINGS.withSeed(seed)).history();

      CheckResult r = CHECKER.check(h);

      assertEquals(Verdict.LINEARIZABLE, r.verdict(), "seed " + seed + ": " + r);
    }
  }

  @Test
  void historiesOfACorrectRegister_withoutIndeterminateOperations_areLinearizable() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      RegisterSimulation.Settings s =
          new RegisterSimulation.Settings(10, 600, 100, 300, 0, 1000, seed);

      CheckResult r = CHECKER.check(RegisterSimulation.run(s).history());

      assertEquals(Verdict.LINEARIZABLE, r.verdict(), "seed " + seed + ": " + r);
    }
  }

  @Test
  void oneStaleRead_makesTheHistoryNotLinearizable() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      RegisterSimulation sim = RegisterSimulation.run(SETTINGS.withSeed(seed));
      String bug = sim.injectStaleRead();
      assertNotNull(bug, "seed " + seed + " has no read to make stale");

      CheckResult r = CHECKER.check(sim.history());

      assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), "seed " + seed + ", " + bug + ": " + r);
      assertEquals(1, r.failures().size(), "seed " + seed + ": " + r);
    }
  }

  @Test
  void droppingUnobservedIndeterminateOperations_neverChangesTheVerdict() {
    LinearizabilityChecker unreduced =
        new LinearizabilityChecker(
            new KeepEverything(RegisterModel.absent()), SearchBudget.steps(200_000));
    int compared = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      RegisterSimulation sim =
          RegisterSimulation.run(new RegisterSimulation.Settings(5, 200, 30, 60, 0.1, 1000, seed));
      if (seed % 2 == 0) {
        assertNotNull(sim.injectStaleRead(), "seed " + seed);
      }
      History h = sim.history();

      CheckResult reference = unreduced.check(h);
      CheckResult reduced = CHECKER.check(h);

      if (reference.verdict() != Verdict.UNKNOWN) {
        assertEquals(reference.verdict(), reduced.verdict(), "seed " + seed);
        compared++;
      }
    }
    assertTrue(compared >= SEEDS * 3 / 4, "only " + compared + " references finished");
  }

  /** The same model without its reduction: every indeterminate operation is searched. */
  private record KeepEverything(Model model) implements Model {
    @Override
    public Optional<Model> step(Operation op) {
      return model.step(op);
    }
  }

  @Test
  void simulatedHistory_survivesAJsonlRoundTrip() {
    History h = RegisterSimulation.run(SETTINGS.withSeed(7)).history();

    History back = History.parseJsonl(h.toJsonl());

    assertEquals(h, back);
    assertEquals(Verdict.LINEARIZABLE, CHECKER.check(back).verdict());
  }

  @Test
  void tinyBudget_yieldsUnknown() {
    History h = RegisterSimulation.run(SETTINGS.withSeed(3)).history();
    LinearizabilityChecker tiny =
        new LinearizabilityChecker(RegisterModel.absent(), SearchBudget.steps(50));

    CheckResult r = tiny.check(h);

    assertEquals(Verdict.UNKNOWN, r.verdict(), r::toString);
    assertEquals(Verdict.LINEARIZABLE, CHECKER.check(h).verdict());
  }
}
