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
 * <p>Cost grows with the number of operations that may be pending at once, not with history
 * length. An indeterminate operation that no operation observed is dropped before the search; one
 * that was observed is pending from its invocation to its first observer.
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
