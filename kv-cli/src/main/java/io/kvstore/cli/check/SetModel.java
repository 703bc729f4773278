package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A grow-only set, the model of one key in the set workload: {@code add} with the element as input;
 * {@code read} with the whole set, as a list, as output. A read must see exactly the elements added
 * before it, which is what catches an acknowledged add lost on failover.
 *
 * <p>Each add copies the set (O(size)); fine for per-key histories of a few thousand elements.
 */
public final class SetModel implements Model {
  private final Set<String> elements;
  private final int hash; // cached: the memo hashes the state on every search step

  private SetModel(Set<String> elements) {
    this.elements = Collections.unmodifiableSet(elements);
    this.hash = elements.hashCode();
  }

  public static SetModel empty() {
    return new SetModel(Set.of());
  }

  public static SetModel of(Collection<String> elements) {
    return new SetModel(new HashSet<>(elements));
  }

  public Set<String> elements() {
    return elements;
  }

  @Override
  public Optional<Model> step(Operation op) {
    switch (op.f()) {
      case "add":
        if (!(op.input() instanceof String e)) {
          throw new IllegalArgumentException("an add needs a string element: " + op);
        }
        if (elements.contains(e)) {
          return Optional.of(this);
        }
        Set<String> grown = new HashSet<>(elements);
        grown.add(e);
        return Optional.of(new SetModel(grown));
      case "read":
        if (op.isIndeterminate()) {
          return Optional.of(this);
        }
        if (!(op.output() instanceof Collection<?> seen)) {
          throw new IllegalArgumentException("a set read returns a list of elements: " + op);
        }
        return seen.size() >= elements.size() && elements.equals(new HashSet<>(seen))
            ? Optional.of(this)
            : Optional.empty();
      default:
        throw new IllegalArgumentException("the set model has no operation " + op);
    }
  }

  /**
   * Drops indeterminate reads and indeterminate adds of elements no ok read returned: a read after
   * such an add would have returned the element, so the add can only have taken effect after every
   * read, where it changes nothing checked.
   */
  @Override
  public List<Operation> withoutUnobservable(List<Operation> ops) {
    Set<Object> observed = new HashSet<>();
    for (Operation op : ops) {
      if (op.f().equals("read") && op.output() instanceof Collection<?> seen) {
        observed.addAll(seen);
      }
    }
    List<Operation> kept = new ArrayList<>(ops.size());
    for (Operation op : ops) {
      if (!op.isIndeterminate()
          || (op.f().equals("add") && observed.contains(op.input()))
          || !(op.f().equals("add") || op.f().equals("read"))) {
        kept.add(op); // unknown operations stay, for step() to reject
      }
    }
    return kept;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SetModel s && s.hash == hash && s.elements.equals(elements);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return new TreeSet<>(elements).toString();
  }
}
