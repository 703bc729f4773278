package io.kvstore.cli.check;

/** The outcome of checking one key or a whole history. */
public enum Verdict {
  /** A linearization exists; the history is consistent with the model. */
  LINEARIZABLE,
  /** The search was exhaustive and found no linearization: a consistency bug (or a wrong model). */
  NOT_LINEARIZABLE,
  /**
   * The search budget ran out first. Never a pass: a hard history is more likely a buggy one, and a
   * harness that treats "too hard to check" as success stops catching bugs under faults.
   */
  UNKNOWN
}
