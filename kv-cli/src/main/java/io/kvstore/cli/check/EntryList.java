package io.kvstore.cli.check;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Wing &amp; Gong's history as a doubly linked list of call and return entries in time order. An
 * entry's position encodes real-time order: an operation can be linearized next only if its call
 * comes before every return still in the list. Linearizing an operation lifts its entries out;
 * backtracking puts them back. Removals are undone in reverse order (the search is a stack), so the
 * unlinked entries keep their own links and relinking is O(1), as in Knuth's dancing links.
 *
 * <p>On equal times a call sorts before a return: touching intervals count as concurrent, which can
 * only accept more histories, never report a bug that is not there.
 *
 * <p>Indeterminate operations have a call entry only. With no deadline they never force a
 * backtrack; the search is done when every ok operation is linearized, and indeterminate ones still
 * in the list then simply never happened.
 */
final class EntryList {
  private final int head; // sentinel before the first entry
  private final int end; // sentinel after the last entry
  private final int[] next;
  private final int[] prev;
  private final int[] opOf; // entry → operation
  private final boolean[] isCall;
  private final int[] callOf; // operation → its call entry
  private final int[] returnOf; // operation → its return entry, or -1 if indeterminate

  /**
   * @param ops operations sorted by invocation time
   */
  EntryList(Operation[] ops) {
    int n = ops.length;
    callOf = new int[n];
    returnOf = new int[n];
    Arrays.fill(returnOf, -1);
    int count = 0;
    for (Operation op : ops) {
      count += op.isIndeterminate() ? 1 : 2;
    }
    // Sort (time, return?, op) packed as entry descriptors: op index * 2 + (1 if return).
    Integer[] order = new Integer[count];
    int k = 0;
    for (int i = 0; i < n; i++) {
      order[k++] = 2 * i;
      if (!ops[i].isIndeterminate()) {
        order[k++] = 2 * i + 1;
      }
    }
    Comparator<Integer> byTime =
        Comparator.<Integer>comparingLong(
                d -> (d & 1) == 0 ? ops[d >> 1].invokeTime() : ops[d >> 1].completeTime())
            .thenComparingInt(d -> d & 1)
            .thenComparingInt(d -> d >> 1);
    Arrays.sort(order, byTime);

    head = count;
    end = count + 1;
    next = new int[count + 2];
    prev = new int[count + 2];
    opOf = new int[count];
    isCall = new boolean[count];
    int last = head;
    for (int e = 0; e < count; e++) {
      int d = order[e];
      opOf[e] = d >> 1;
      isCall[e] = (d & 1) == 0;
      if (isCall[e]) {
        callOf[d >> 1] = e;
      } else {
        returnOf[d >> 1] = e;
      }
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    next[last] = end;
    prev[end] = last;
  }

  int first() {
    return next[head];
  }

  int next(int entry) {
    return next[entry];
  }

  boolean isEnd(int entry) {
    return entry == end;
  }

  boolean isCall(int entry) {
    return isCall[entry];
  }

  int op(int entry) {
    return opOf[entry];
  }

  int callOf(int op) {
    return callOf[op];
  }

  void lift(int op) {
    unlink(callOf[op]);
    if (returnOf[op] >= 0) {
      unlink(returnOf[op]);
    }
  }

  /** Undoes the most recent {@link #lift} not yet undone, which must be of {@code op}. */
  void unlift(int op) {
    if (returnOf[op] >= 0) {
      relink(returnOf[op]);
    }
    relink(callOf[op]);
  }

  private void unlink(int e) {
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
  }

  private void relink(int e) {
    next[prev[e]] = e;
    prev[next[e]] = e;
  }
}
