package io.kvstore.cli.check;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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

  @Override
  public boolean isReadOnly(Operation op) {
    return op.f().equals("read");
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
