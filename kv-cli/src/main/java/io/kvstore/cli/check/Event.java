package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One line of a history: a client ({@code process}) invoking or completing an operation {@code f}
 * on {@code key}. {@code time} is the client's {@link System#nanoTime()}: only comparable between
 * clients that share a monotonic clock (one host), which is all real-time order needs.
 *
 * <p>{@code value} is {@code null}, a {@link String}, or an unmodifiable {@code List<String>}
 * (whose elements may be null); its meaning depends on {@code f} and on the model, see the package
 * documentation. Values are strings on purpose: the checker compares them with {@code equals}, and
 * one type avoids {@code 7} and {@code "7"} silently differing.
 */
public record Event(long process, EventType type, String f, String key, Object value, long time) {

  public Event {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    value = checkedValue(value);
  }

  public static Event invoke(long process, String f, String key, Object value, long time) {
    return new Event(process, EventType.INVOKE, f, key, value, time);
  }

  public static Event ok(long process, String f, String key, Object value, long time) {
    return new Event(process, EventType.OK, f, key, value, time);
  }

  public static Event fail(long process, String f, String key, Object value, long time) {
    return new Event(process, EventType.FAIL, f, key, value, time);
  }

  public static Event info(long process, String f, String key, Object value, long time) {
    return new Event(process, EventType.INFO, f, key, value, time);
  }

  /** Null, a string, or a defensive unmodifiable copy of a list of strings and nulls. */
  static Object checkedValue(Object value) {
    if (value == null || value instanceof String) {
      return value;
    }
    if (value instanceof List<?> list) {
      List<String> copy = new ArrayList<>(list.size());
      for (Object o : list) {
        if (o != null && !(o instanceof String)) {
          throw new IllegalArgumentException("list elements must be strings or null: " + list);
        }
        copy.add((String) o);
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException(
        "value must be null, a String or a List<String>, not " + value.getClass().getName());
  }
}
