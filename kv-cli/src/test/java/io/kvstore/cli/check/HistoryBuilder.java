package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Hand-written fixture histories, one operation per call: {@code write(p, "a", 0, 10)} is process p
 * invoking a write of "a" at time 0 that returns ok at 10. Operations apply to the current key, "x"
 * unless {@link #key} changed it. Events are ordered by time when built, so a fixture reads in
 * whatever order is clearest as long as each process's operations do not overlap.
 */
final class HistoryBuilder {
  private final List<Event> events = new ArrayList<>();
  private String key = "x";

  HistoryBuilder key(String key) {
    this.key = key;
    return this;
  }

  HistoryBuilder write(long p, String value, long invoke, long ok) {
    return op(p, "write", value, invoke, EventType.OK, value, ok);
  }

  HistoryBuilder read(long p, String result, long invoke, long ok) {
    return op(p, "read", null, invoke, EventType.OK, result, ok);
  }

  HistoryBuilder cas(long p, String expected, String updated, long invoke, long ok) {
    List<String> args = pair(expected, updated);
    return op(p, "cas", args, invoke, EventType.OK, args, ok);
  }

  HistoryBuilder casFailed(long p, String expected, String updated, long invoke, long fail) {
    List<String> args = pair(expected, updated);
    return op(p, "cas", args, invoke, EventType.FAIL, args, fail);
  }

  HistoryBuilder writeFailed(long p, String value, long invoke, long fail) {
    return op(p, "write", value, invoke, EventType.FAIL, value, fail);
  }

  /** A write answered with {@code info} (e.g. a timeout) at {@code info}. */
  HistoryBuilder writeIndeterminate(long p, String value, long invoke, long info) {
    return op(p, "write", value, invoke, EventType.INFO, value, info);
  }

  HistoryBuilder casIndeterminate(long p, String expected, String updated, long invoke, long info) {
    List<String> args = pair(expected, updated);
    return op(p, "cas", args, invoke, EventType.INFO, args, info);
  }

  HistoryBuilder readIndeterminate(long p, long invoke, long info) {
    return op(p, "read", null, invoke, EventType.INFO, null, info);
  }

  /** A write whose client never recorded a completion (crashed after sending). */
  HistoryBuilder writeUnanswered(long p, String value, long invoke) {
    events.add(Event.invoke(p, "write", key, value, invoke));
    return this;
  }

  HistoryBuilder add(long p, String element, long invoke, long ok) {
    return op(p, "add", element, invoke, EventType.OK, element, ok);
  }

  HistoryBuilder addIndeterminate(long p, String element, long invoke, long info) {
    return op(p, "add", element, invoke, EventType.INFO, element, info);
  }

  HistoryBuilder readSet(long p, List<String> result, long invoke, long ok) {
    return op(p, "read", null, invoke, EventType.OK, result, ok);
  }

  History build() {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::time)); // stable: per-process order survives
    return new History(sorted);
  }

  private HistoryBuilder op(
      long p, String f, Object input, long invoke, EventType end, Object output, long endTime) {
    events.add(Event.invoke(p, f, key, input, invoke));
    events.add(new Event(p, end, f, key, output, endTime));
    return this;
  }

  private static List<String> pair(String a, String b) {
    List<String> l = new ArrayList<>(2);
    l.add(a);
    l.add(b);
    return l;
  }
}
