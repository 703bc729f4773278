package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The Wing &amp; Gong backtracking search with Lowe's memoization (WGL) for the operations of one
 * key. Depth-first: walk the {@link EntryList} from the front; at a call entry, try to linearize
 * that operation next (the model must accept it and the resulting configuration must be new to the
 * {@link SearchMemo}); if so, lift it out and restart from the front. Reaching a return entry means
 * an operation that had to be linearized by now was not: undo the most recent choice and try the
 * next candidate after it. Success is every ok operation linearized; running out of choices proves
 * there is no linearization.
 *
 * <p>Iterative with an explicit stack, because histories of 10⁴ operations would overflow the JVM
 * stack if recursive. Single-use: one instance runs once.
 */
final class WglSearch {
  private final String key;
  private final Model initial;
  private final long maxSteps;
  private final Operation[] ops; // in invocation order
  private final int[] slot; // index into the ok or the indeterminate bit set
  private final int okCount;
  private final int indeterminateCount;

  /**
   * @param ops the key's ok operations and its indeterminate ones that may change state
   */
  WglSearch(String key, List<Operation> ops, Model initial, SearchBudget budget) {
    this.key = key;
    this.initial = initial;
    this.maxSteps = budget.maxStepsPerKey();
    this.ops = ops.toArray(new Operation[0]);
    Arrays.sort(this.ops, Comparator.comparingLong(Operation::invokeTime));
    this.slot = new int[this.ops.length];
    int ok = 0;
    int ind = 0;
    for (int i = 0; i < this.ops.length; i++) {
      Operation op = this.ops[i];
      if (op.outcome() == Operation.Outcome.FAIL) {
        throw new IllegalArgumentException("failed operations are not searched: " + op);
      }
      // Numbered in invocation order so the linearized set stays a prefix plus a small frontier.
      slot[i] = op.isIndeterminate() ? ind++ : ok++;
    }
    this.okCount = ok;
    this.indeterminateCount = ind;
  }

  KeyResult run() {
    EntryList list = new EntryList(ops);
    SearchMemo memo = new SearchMemo();
    BitSet okDone = new BitSet(okCount);
    long[] indeterminateDone = new long[(indeterminateCount + 63) >>> 6];
    int n = ops.length;
    int[] stackOp = new int[n];
    Model[] stackState = new Model[n]; // the state before stackOp[i]
    SearchMemo.Visit[] stackVisit = new SearchMemo.Visit[n];
    int depth = 0;
    int okLinearized = 0;
    Model state = initial;

    // Explanation: the deepest stack seen, captured lazily when the search first leaves it.
    int bestDepth = 0;
    int[] bestPrefix = new int[0];
    Model bestState = initial;
    int unplaced = -1;
    boolean atBest = true;

    long steps = 0;
    int e = list.first();
    while (okLinearized < okCount) {
      if (steps == maxSteps) {
        return new KeyResult(key, Verdict.UNKNOWN, n, steps, null);
      }
      steps++;
      if (list.isEnd(e)) {
        // Unreachable: an unlinearized ok operation's return entry lies ahead of every position
        // the walk resumes from, and the walk never passes a return entry.
        throw new IllegalStateException("search walked past the last return entry");
      }
      if (list.isCall(e)) {
        int i = list.op(e);
        Optional<Model> after = state.step(ops[i]);
        if (after.isPresent()) {
          mark(i, true, okDone, indeterminateDone);
          SearchMemo.Visit v = memo.enter(okDone, indeterminateDone, after.get());
          if (v != null) {
            stackOp[depth] = i;
            stackState[depth] = state;
            stackVisit[depth] = v;
            depth++;
            if (!ops[i].isIndeterminate()) {
              okLinearized++;
            }
            state = after.get();
            list.lift(i);
            if (depth > bestDepth) {
              bestDepth = depth;
              unplaced = -1;
              atBest = true;
            }
            e = list.first();
            continue;
          }
          mark(i, false, okDone, indeterminateDone);
        }
        e = list.next(e);
        continue;
      }
      // A return entry: its operation's deadline passed with no legal place found for it.
      if (atBest && unplaced < 0) {
        unplaced = list.op(e);
        bestPrefix = Arrays.copyOf(stackOp, depth);
        bestState = state;
      }
      if (depth == 0) {
        Explanation why =
            new Explanation(operations(bestPrefix), bestState, unplaced < 0 ? null : ops[unplaced]);
        return new KeyResult(key, Verdict.NOT_LINEARIZABLE, n, steps, why);
      }
      atBest = false;
      depth--;
      int i = stackOp[depth];
      state = stackState[depth];
      stackState[depth] = null;
      stackVisit[depth].exhausted();
      mark(i, false, okDone, indeterminateDone);
      if (!ops[i].isIndeterminate()) {
        okLinearized--;
      }
      list.unlift(i);
      e = list.next(list.callOf(i));
    }
    return new KeyResult(key, Verdict.LINEARIZABLE, n, steps, null);
  }

  private void mark(int i, boolean on, BitSet okDone, long[] indeterminateDone) {
    int s = slot[i];
    if (!ops[i].isIndeterminate()) {
      okDone.set(s, on);
    } else if (on) {
      indeterminateDone[s >>> 6] |= 1L << s;
    } else {
      indeterminateDone[s >>> 6] &= ~(1L << s);
    }
  }

  private List<Operation> operations(int[] indices) {
    List<Operation> result = new ArrayList<>(indices.length);
    for (int i : indices) {
      result.add(ops[i]);
    }
    return result;
  }
}
