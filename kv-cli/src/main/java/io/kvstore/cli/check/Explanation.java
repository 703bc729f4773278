package io.kvstore.cli.check;

import java.util.List;

/**
 * Why a key is not linearizable, in the form a reader can check by hand: the longest sequence of
 * operations the search managed to linearize, the model state it leads to, and the operation whose
 * completion came before any legal place for it was found. The culprit is usually the unplaced
 * operation (a stale read) or one near the end of the prefix (a write the read missed).
 *
 * @param longestPrefix the deepest partial linearization found, in linearization order
 * @param stateAfterPrefix the model state after {@code longestPrefix}
 * @param unplaced the operation that could not be linearized after that prefix; null only if the
 *     search never returned to that prefix, which does not happen for a completed search
 */
public record Explanation(
    List<Operation> longestPrefix, Model stateAfterPrefix, Operation unplaced) {

  private static final int SHOWN = 8;

  public Explanation {
    longestPrefix = List.copyOf(longestPrefix);
  }

  /** The last few prefix operations, the state, and the operation that could not be placed. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    int n = longestPrefix.size();
    sb.append("longest linearizable prefix: ").append(n).append(" operation(s)");
    if (n > SHOWN) {
      sb.append(", the last ").append(SHOWN);
    }
    sb.append('\n');
    for (Operation op : longestPrefix.subList(Math.max(0, n - SHOWN), n)) {
      sb.append("  ").append(op).append('\n');
    }
    sb.append("state after it: ").append(stateAfterPrefix).append('\n');
    sb.append("could not place: ").append(unplaced);
    return sb.toString();
  }
}
