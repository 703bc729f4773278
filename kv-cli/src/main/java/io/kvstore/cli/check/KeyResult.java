package io.kvstore.cli.check;

import java.util.Objects;

/**
 * The verdict for one key.
 *
 * @param operations operations searched: the ok ones plus the indeterminate ones the model could
 *     not rule out as unobserved ({@link Model#withoutUnobservable})
 * @param steps search steps used (see {@link SearchBudget})
 * @param explanation present exactly when the verdict is {@link Verdict#NOT_LINEARIZABLE}
 */
public record KeyResult(
    String key, Verdict verdict, int operations, long steps, Explanation explanation) {

  public KeyResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(verdict, "verdict");
    if ((explanation != null) != (verdict == Verdict.NOT_LINEARIZABLE)) {
      throw new IllegalArgumentException("an explanation comes with NOT_LINEARIZABLE only");
    }
  }

  @Override
  public String toString() {
    String head =
        "key " + key + ": " + verdict + " (" + operations + " operations, " + steps + " steps)";
    return explanation == null ? head : head + "\n" + explanation;
  }
}
