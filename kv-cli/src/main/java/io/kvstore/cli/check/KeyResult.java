package io.kvstore.cli.check;

import java.util.Objects;

/**
 * The verdict for one key.
 *
 * @param operations operations searched: ok ones plus indeterminate ones that may change state
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
