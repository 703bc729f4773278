package io.kvstore.cli.check;

import java.util.Objects;

/**
 * An invocation paired with its completion: the unit the checker linearizes.
 *
 * <p>{@code input} is the invocation's value (what a write writes, {@code [expected, new]} for a
 * cas); {@code output} is the completion's value (what a read returned) and is null unless the
 * outcome is {@link Outcome#OK}. An indeterminate operation has no upper bound, so its {@code
 * completeTime} is {@link #UNBOUNDED} whatever the {@code info} event's time was.
 *
 * @param id position among the history's invocations, for pointing back into the history
 */
public record Operation(
    int id,
    long process,
    String f,
    String key,
    Object input,
    Object output,
    Outcome outcome,
    long invokeTime,
    long completeTime) {

  /** The completion time of an indeterminate operation: it may take effect at any later time. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  /** How an operation ended, as far as the client knows. */
  public enum Outcome {
    /** Took effect between invocation and completion. */
    OK,
    /** Did not take effect. */
    FAIL,
    /** Answered {@code info} or never answered: took effect after its invocation, or never. */
    INDETERMINATE
  }

  public Operation {
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    input = Event.checkedValue(input);
    output = Event.checkedValue(output);
    if (outcome == Outcome.INDETERMINATE) {
      completeTime = UNBOUNDED;
    }
    if (completeTime < invokeTime) {
      throw new IllegalArgumentException(
          "operation " + id + " completes at " + completeTime + " before its invocation");
    }
  }

  public boolean isIndeterminate() {
    return outcome == Outcome.INDETERMINATE;
  }

  /** Like {@code p3 write k1 "v7" [100, 250]} or {@code p2 read k1 → "v6" [120, 180]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append('p').append(process).append(' ').append(f).append(' ').append(key);
    if (input != null) {
      sb.append(' ').append(show(input));
    }
    switch (outcome) {
      case OK -> {
        if (output != null || f.equals("read")) {
          sb.append(" → ").append(show(output));
        }
      }
      case FAIL -> sb.append(" (failed)");
      case INDETERMINATE -> sb.append(" (indeterminate)");
    }
    sb.append(" [").append(invokeTime).append(", ");
    sb.append(completeTime == UNBOUNDED ? "∞" : Long.toString(completeTime)).append(']');
    return sb.toString();
  }

  private static String show(Object v) {
    if (v instanceof String s) {
      return '"' + s + '"';
    }
    if (v instanceof Iterable<?> items) {
      StringBuilder sb = new StringBuilder("[");
      String sep = "";
      for (Object o : items) {
        sb.append(sep).append(show(o));
        sep = ", ";
      }
      return sb.append(']').toString();
    }
    return "null";
  }
}
