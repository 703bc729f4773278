package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How the checker's cost scales; the source of the numbers in {@link LinearizabilityChecker}'s
 * documentation. Off by default (it times things, and takes about a minute). The median of 3
 * histories is reported; steps are those of the last one; run with
 *
 * <pre>
 * mvn -o -f kv-cli/pom.xml test -Dtest=CheckerScalingMeasurement -Dkvstore.checker.scaling=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "kvstore.checker.scaling", matches = "true")
class CheckerScalingMeasurement {
  private static final int RUNS = 3;

  @Test
  void measure() {
    List<String> rows = new ArrayList<>();
    rows.add(
        String.format(
            Locale.ROOT,
            "%-8s %-9s %-6s %-5s %-17s %9s %12s %9s",
            "ops",
            "per key",
            "info",
            "bug",
            "verdict",
            "ms",
            "steps",
            "ops/s"));
    warmUp();
    for (double info : new double[] {0, 0.01, 0.05, 0.2}) {
      for (boolean bug : new boolean[] {false, true}) {
        rows.add(row(1_000, 1_000, 1_000, info, bug));
        rows.add(row(10_000, 10_000, 10_000, info, bug));
        rows.add(row(100_000, 100, 300, info, bug));
      }
    }
    System.out.println(String.join("\n", rows));
  }

  private static void warmUp() {
    for (long seed = 100; seed < 110; seed++) {
      check(history(settings(20_000, 100, 300, 0.02, seed), seed % 2 == 0), seed % 2 == 0);
    }
  }

  private static String row(int ops, int minPerKey, int maxPerKey, double info, boolean bug) {
    long[] millis = new long[RUNS];
    CheckResult last = null;
    for (int i = 0; i < RUNS; i++) {
      History h = history(settings(ops, minPerKey, maxPerKey, info, i + 1), bug);
      long start = System.nanoTime();
      last = check(h, bug);
      millis[i] = (System.nanoTime() - start) / 1_000_000;
    }
    Arrays.sort(millis);
    long median = Math.max(1, millis[RUNS / 2]);
    long steps = last.keys().stream().mapToLong(KeyResult::steps).sum();
    String perKey = minPerKey == maxPerKey ? "" + minPerKey : minPerKey + "-" + maxPerKey;
    return String.format(
        Locale.ROOT,
        "%-8d %-9s %-6s %-5s %-17s %9d %12d %9d",
        ops,
        perKey,
        (int) (info * 100) + "%",
        bug ? "stale" : "-",
        last.verdict(),
        median,
        steps,
        ops * 1000L / median);
  }

  private static RegisterSimulation.Settings settings(
      int ops, int minPerKey, int maxPerKey, double info, long seed) {
    return new RegisterSimulation.Settings(10, ops, minPerKey, maxPerKey, info, 1000, seed);
  }

  private static History history(RegisterSimulation.Settings s, boolean bug) {
    RegisterSimulation sim = RegisterSimulation.run(s);
    if (bug) {
      assertNotNull(sim.injectStaleRead());
    }
    return sim.history();
  }

  private static CheckResult check(History h, boolean bug) {
    CheckResult r =
        new LinearizabilityChecker(RegisterModel.absent(), SearchBudget.steps(20_000_000)).check(h);
    if (r.verdict() != Verdict.UNKNOWN) {
      assertEquals(bug ? Verdict.NOT_LINEARIZABLE : Verdict.LINEARIZABLE, r.verdict());
    }
    return r;
  }
}
