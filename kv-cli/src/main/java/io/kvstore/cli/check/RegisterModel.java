package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A read/write/compare-and-set register, the model of one key in the register workload. The state
 * is the current value; null means absent (never written).
 *
 * <ul>
 *   <li>{@code read}: input null; output the value read, null for absent.
 *   <li>{@code write}: input the value written.
 *   <li>{@code cas}: input {@code [expected, new]}, expected null meaning "only if absent". An ok
 *       cas found {@code expected} and wrote {@code new}. A failed cas is removed like every failed
 *       operation: a client cannot always tell "value did not match" from "request never applied",
 *       so its failure is not taken as a read.
 * </ul>
 *
 * <p>Histories should write unique values: with repeated values a stale read can look fresh.
 */
public record RegisterModel(String value) implements Model {

  /** The state of a key nobody has written. */
  public static RegisterModel absent() {
    return new RegisterModel(null);
  }

  @Override
  public Optional<Model> step(Operation op) {
    switch (op.f()) {
      case "read":
        if (op.isIndeterminate()) {
          return Optional.of(this);
        }
        return Objects.equals(value, text(op, op.output())) ? Optional.of(this) : Optional.empty();
      case "write":
        return Optional.of(new RegisterModel(required(op, text(op, op.input()))));
      case "cas":
        List<String> args = casArguments(op);
        boolean matches = Objects.equals(value, args.get(0));
        if (matches) {
          return Optional.of(new RegisterModel(args.get(1)));
        }
        // Indeterminate: a cas that did not match had no effect, which is always possible.
        return op.isIndeterminate() ? Optional.of(this) : Optional.empty();
      default:
        throw new IllegalArgumentException("the register model has no operation " + op);
    }
  }

  /**
   * Drops indeterminate reads (they observed nothing and change nothing) and indeterminate writes
   * and cas whose new value nothing kept observes: no ok read returned it, no ok cas expected it,
   * no kept indeterminate cas expected it. Removing them all from a linearization leaves it valid:
   * every kept operation that reads the state found a value written by a kept operation (else that
   * value would be observed), and the kept indeterminate cas that had no effect may be dropped.
   * "Kept" is a fixpoint, computed from the ok operations outward, so an indeterminate cas nobody
   * needs does not keep alive the write it expected.
   */
  @Override
  public List<Operation> withoutUnobservable(List<Operation> ops) {
    Set<String> observed = new HashSet<>();
    List<Operation> undecided = new ArrayList<>();
    for (Operation op : ops) {
      if (op.isIndeterminate()) {
        if (!op.f().equals("read")) {
          undecided.add(op);
        }
      } else if (op.f().equals("read")) {
        observed.add(text(op, op.output()));
      } else if (op.f().equals("cas") && op.outcome() == Operation.Outcome.OK) {
        observed.add(casArguments(op).get(0));
      }
    }
    Set<Operation> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    for (boolean grew = true; grew; ) {
      grew = false;
      for (Operation op : undecided) {
        if (!kept.contains(op) && observed.contains(written(op))) {
          kept.add(op);
          grew = true;
          if (op.f().equals("cas")) {
            observed.add(casArguments(op).get(0));
          }
        }
      }
    }
    List<Operation> result = new ArrayList<>(ops.size());
    for (Operation op : ops) {
      if (!op.isIndeterminate() || kept.contains(op)) {
        result.add(op);
      }
    }
    return result;
  }

  /** The value an indeterminate write or cas would leave. */
  private static String written(Operation op) {
    switch (op.f()) {
      case "write":
        return text(op, op.input());
      case "cas":
        return casArguments(op).get(1);
      default:
        throw new IllegalArgumentException("the register model has no operation " + op);
    }
  }

  private static String text(Operation op, Object v) {
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException("a register value is a string or null: " + op);
    }
    return (String) v;
  }

  private static String required(Operation op, String v) {
    if (v == null) {
      throw new IllegalArgumentException("a write needs a value (null means absent): " + op);
    }
    return v;
  }

  private static List<String> casArguments(Operation op) {
    if (op.input() instanceof List<?> l && l.size() == 2 && l.get(1) != null) {
      @SuppressWarnings("unchecked") // Event.checkedValue admits only List<String>
      List<String> args = (List<String>) l;
      return args;
    }
    throw new IllegalArgumentException("a cas input is [expected, new] with new not null: " + op);
  }

  @Override
  public String toString() {
    return value == null ? "absent" : '"' + value + '"';
  }
}
