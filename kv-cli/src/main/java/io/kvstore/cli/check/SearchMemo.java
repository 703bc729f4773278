package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowe's memoization for the Wing &amp; Gong search: a configuration is the set of operations
 * linearized so far plus the model state, and the future of a configuration does not depend on the
 * order that reached it, so each is explored at most once. This is what turns the factorial search
 * into one that is usually linear in the history length.
 *
 * <p>Indeterminate operations get a stronger rule. If configuration (L, s) failed, then (L ∪ X, s)
 * fails too when X holds only indeterminate operations: X's members may be dropped, never constrain
 * anything (they have no return), and every completion of (L ∪ X, s) is also one of (L, s). So a
 * configuration is skipped when an exhausted one with the same ok operations and state linearized a
 * subset of its indeterminate ones: k indeterminate operations pending together can otherwise
 * multiply a failing search by up to 2^k. Most of that is already avoided by the models dropping
 * unobserved operations ({@link Model#withoutUnobservable}); on the measured register histories
 * this rule saved a further 5–30 % of steps. It is applied only to exhausted configurations: one
 * still on the search stack may be an ancestor, and pruning by an unfinished ancestor would be
 * circular.
 *
 * <p>Sets are stored compactly because the search keeps most early operations linearized: the ok
 * set as (highest member + 1, the non-members below it), whose size is about the concurrency, not
 * the history length.
 */
final class SearchMemo {
  private static final long[] NONE = new long[0];

  /** One explored configuration; marked exhausted when the search backtracks out of it. */
  static final class Visit {
    private final long[] indeterminate;
    private boolean exhausted;

    private Visit(long[] indeterminate) {
      this.indeterminate = indeterminate;
    }

    void exhausted() {
      exhausted = true;
    }
  }

  // Value: a Visit, or a List<Visit> when several indeterminate subsets share (ok set, state).
  private final Map<Key, Object> visits = new HashMap<>();
  private int size;

  /**
   * Records the configuration unless it was seen or is subsumed.
   *
   * @return the new visit, or null if the configuration need not be explored
   */
  Visit enter(BitSet ok, long[] indeterminate, Model state) {
    Key key = Key.of(ok, state);
    Object seen = visits.get(key);
    if (seen == null) {
      Visit v = visit(indeterminate);
      visits.put(key, v);
      size++;
      return v;
    }
    List<Visit> list;
    if (seen instanceof Visit v) {
      if (covers(v, indeterminate)) {
        return null;
      }
      list = new ArrayList<>(2);
      list.add(v);
      visits.put(key, list);
    } else {
      @SuppressWarnings("unchecked")
      List<Visit> l = (List<Visit>) seen;
      for (Visit v : l) {
        if (covers(v, indeterminate)) {
          return null;
        }
      }
      list = l;
    }
    Visit v = visit(indeterminate);
    list.add(v);
    size++;
    return v;
  }

  /** Number of configurations recorded. */
  int size() {
    return size;
  }

  private static Visit visit(long[] indeterminate) {
    return new Visit(indeterminate.length == 0 ? NONE : indeterminate.clone());
  }

  /** Whether {@code v} makes exploring a configuration with these indeterminate ops pointless. */
  private static boolean covers(Visit v, long[] indeterminate) {
    boolean equal = true;
    for (int w = 0; w < indeterminate.length; w++) {
      long mine = v.indeterminate[w];
      if ((mine & ~indeterminate[w]) != 0) {
        return false; // not a subset
      }
      equal &= mine == indeterminate[w];
    }
    return equal || v.exhausted;
  }

  /** The ok set and the state; compact and hashed once. */
  private static final class Key {
    private final int top;
    private final int[] holes;
    private final Model state;
    private final int hash;

    private Key(int top, int[] holes, Model state) {
      this.top = top;
      this.holes = holes;
      this.state = state;
      this.hash = (31 * top + Arrays.hashCode(holes)) * 31 + state.hashCode();
    }

    static Key of(BitSet ok, Model state) {
      int top = ok.length();
      int count = 0;
      for (int i = ok.nextClearBit(0); i < top; i = ok.nextClearBit(i + 1)) {
        count++;
      }
      int[] holes = new int[count];
      int h = 0;
      for (int i = ok.nextClearBit(0); i < top; i = ok.nextClearBit(i + 1)) {
        holes[h++] = i;
      }
      return new Key(top, holes, state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.hash == hash
          && k.top == top
          && Arrays.equals(k.holes, holes)
          && k.state.equals(state);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
