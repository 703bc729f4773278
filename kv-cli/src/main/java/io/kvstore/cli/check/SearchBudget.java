package io.kvstore.cli.check;

/**
 * How much search one key may use before its verdict is {@link Verdict#UNKNOWN}. Counted in steps,
 * not time, so the search stays a pure function and a verdict is reproducible on any machine.
 *
 * <p>One step is one attempt to linearize an operation at the current point (a model step plus a
 * memo lookup) or one backtrack. The memo gains at most one entry per step, so the budget also
 * bounds memory (an estimated 150 bytes per entry from the object layout: 10⁷ steps ≈ 1.5 GB at
 * most, reached only by a search that never succeeds). The measured rate is in the class
 * documentation of {@link LinearizabilityChecker}; divide by it to turn a time limit into steps.
 *
 * @param maxStepsPerKey positive
 */
public record SearchBudget(long maxStepsPerKey) {

  /** Ten million steps per key: 1–3 s on the host measured in {@link LinearizabilityChecker}. */
  public static final SearchBudget DEFAULT = new SearchBudget(10_000_000);

  public SearchBudget {
    if (maxStepsPerKey <= 0) {
      throw new IllegalArgumentException("maxStepsPerKey must be positive: " + maxStepsPerKey);
    }
  }

  public static SearchBudget steps(long maxStepsPerKey) {
    return new SearchBudget(maxStepsPerKey);
  }
}
