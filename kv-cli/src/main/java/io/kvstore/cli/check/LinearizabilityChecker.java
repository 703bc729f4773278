package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides whether a history is linearizable with respect to a per-key {@link Model}.
 *
 * <p>Linearizability is local, so the history is split by key and each key is checked on its own
 * (P-compositionality): exponential cost in one big history becomes a sum over small ones, which is
 * why workloads rotate keys every few hundred operations. Per key, failed operations are removed
 * (they did not happen), so are indeterminate ones whose effect nobody observed ({@link
 * Model#withoutUnobservable}), and the rest go to a {@link WglSearch}: Wing &amp; Gong's
 * backtracking search with Lowe's memoization, in which an indeterminate operation may be
 * linearized anywhere after its invocation or never.
 *
 * <p>Pure and deterministic: no clock, no threads, no I/O; the search is bounded by a {@link
 * SearchBudget} in steps, and a key that exhausts it is {@link Verdict#UNKNOWN}, which fails the
 * history.
 *
 * <h2>Measured cost</h2>
 *
 * Register histories from a simulated correct register ({@code CheckerScalingMeasurement} in the
 * tests): 10 clients, read/write/cas 50/30/20 %, unique values, about 7 operations in flight at any
 * time; "info" is the share of operations whose client got no answer (half of them took effect,
 * possibly after the client gave up); "stale" makes one random read return an overwritten value.
 * Time is the median of 3 histories (steps: the last one), JDK 17.0.15, one thread on a shared
 * 2-core host (load average 3–6 from other builds, so times are noisy; steps are deterministic):
 *
 * <pre>
 * ops      per key   info  bug    verdict               ms      steps
 * 1000     1000      0%    -      LINEARIZABLE           2      48965
 * 10000    10000     0%    -      LINEARIZABLE          63     503359
 * 100000   100-300   0%    -      LINEARIZABLE         344    4837415
 * 10000    10000     0%    stale  NOT_LINEARIZABLE      35     126958
 * 100000   100-300   0%    stale  NOT_LINEARIZABLE     312    4853800
 * 10000    10000     1%    -      LINEARIZABLE          50     494299
 * 10000    10000     1%    stale  NOT_LINEARIZABLE     153    1437657
 * 10000    10000     5%    -      LINEARIZABLE          54     464811
 * 10000    10000     5%    stale  NOT_LINEARIZABLE      39     517962
 * 100000   100-300   5%    stale  NOT_LINEARIZABLE     236    4365224
 * 10000    10000     20%   -      LINEARIZABLE          54     348096
 * 10000    10000     20%   stale  NOT_LINEARIZABLE      48    1255981
 * 100000   100-300   20%   stale  NOT_LINEARIZABLE     191    3217657
 * </pre>
 *
 * So 4–15 million steps per second depending on load, and 35–150 steps per operation: linear in
 * history length at this concurrency, 10⁵ operations in well under a second, and the default budget
 * ({@link SearchBudget#DEFAULT}, 10⁷ steps) is 1–3 s per key. Cost grows exponentially with the
 * number of operations that may be pending at once, so keep clients per key around 10.
 * Indeterminate operations are the risk: one that no operation observed is dropped before the
 * search, but one that was observed is pending from its invocation to its first observer, and the
 * model must offer a reduction ({@link Model#withoutUnobservable}) for any of this to apply.
 * Without the register's reduction, the stale-read row with 1 % info and 10⁴ operations per key ran
 * out of 2·10⁷ steps: the search kept trying unanswered writes that never took effect.
 */
public final class LinearizabilityChecker {
  private final Model initial;
  private final SearchBudget budget;

  /**
   * @param initial the state of every key before the history, e.g. {@link RegisterModel#absent}
   */
  public LinearizabilityChecker(Model initial, SearchBudget budget) {
    this.initial = Objects.requireNonNull(initial, "initial");
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  public LinearizabilityChecker(Model initial) {
    this(initial, SearchBudget.DEFAULT);
  }

  /**
   * Checks every key of the history.
   *
   * @throws HistoryFormatException if invocations and completions do not pair up
   * @throws IllegalArgumentException if an operation is not one the model knows
   */
  public CheckResult check(History history) {
    return check(history.operations());
  }

  /** Checks operations of any number of keys, each key independently. */
  public CheckResult check(Collection<Operation> operations) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation op : operations) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<KeyResult> results = new ArrayList<>(byKey.size());
    for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
      results.add(checkKey(e.getKey(), e.getValue()));
    }
    return new CheckResult(results);
  }

  /**
   * Checks the operations of one key.
   *
   * @throws IllegalArgumentException if an operation belongs to another key
   */
  public KeyResult checkKey(String key, Collection<Operation> operations) {
    List<Operation> happened = new ArrayList<>(operations.size());
    for (Operation op : operations) {
      if (!op.key().equals(key)) {
        throw new IllegalArgumentException("operation of key " + op.key() + " checked as " + key);
      }
      if (op.outcome() != Operation.Outcome.FAIL) {
        happened.add(op);
      }
    }
    List<Operation> searched = initial.withoutUnobservable(happened);
    return new WglSearch(key, searched, initial, budget).run();
  }
}
