package io.kvstore.cli.check;

import java.util.List;

/**
 * The verdict for a whole history: linearizability is local (Herlihy &amp; Wing), so the history is
 * linearizable exactly when every key is. A key found NOT_LINEARIZABLE outranks a key whose search
 * ran out of budget, since the former is a proven bug.
 *
 * @param keys one result per key, ordered by key
 */
public record CheckResult(List<KeyResult> keys) {

  public CheckResult {
    keys = List.copyOf(keys);
  }

  public Verdict verdict() {
    Verdict v = Verdict.LINEARIZABLE;
    for (KeyResult k : keys) {
      if (k.verdict() == Verdict.NOT_LINEARIZABLE) {
        return Verdict.NOT_LINEARIZABLE;
      }
      if (k.verdict() == Verdict.UNKNOWN) {
        v = Verdict.UNKNOWN;
      }
    }
    return v;
  }

  /** True only for LINEARIZABLE: an UNKNOWN key fails the history. */
  public boolean isValid() {
    return verdict() == Verdict.LINEARIZABLE;
  }

  /** The keys that are not LINEARIZABLE. */
  public List<KeyResult> failures() {
    return keys.stream().filter(k -> k.verdict() != Verdict.LINEARIZABLE).toList();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(verdict()).append(": ").append(keys.size()).append(" key(s)");
    List<KeyResult> failures = failures();
    if (!failures.isEmpty()) {
      sb.append(", ").append(failures.size()).append(" failing");
    }
    for (KeyResult k : failures) {
      sb.append('\n').append(k);
    }
    return sb.toString();
  }
}
