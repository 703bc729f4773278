package io.kvstore.cli.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable, ordered list of {@link Event}s as a test harness recorded them, with the JSONL
 * codec (schema in the package documentation) and the pairing of invocations with completions.
 *
 * <p>Order matters only per process: a process's events must appear in the order it produced them.
 * Across processes only {@code time} counts, so concurrently written files need no merge.
 */
public final class History {
  private final List<Event> events;

  public History(List<Event> events) {
    this.events = List.copyOf(events);
  }

  public static History of(Event... events) {
    return new History(List.of(events));
  }

  public List<Event> events() {
    return events;
  }

  /**
   * Reads JSONL: one event object per line; blank lines are skipped, unknown fields ignored (so a
   * harness may add its own, e.g. the error text behind an {@code info}).
   *
   * @throws HistoryFormatException naming the line of the first malformed event
   */
  public static History readJsonl(Reader in) throws IOException {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    List<Event> events = new ArrayList<>();
    int lineNo = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try {
        events.add(toEvent(JsonLine.parse(line)));
      } catch (IllegalArgumentException e) {
        throw new HistoryFormatException("line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    return new History(events);
  }

  /** {@link #readJsonl(Reader)} over an in-memory string. */
  public static History parseJsonl(String jsonl) {
    try {
      return readJsonl(new StringReader(jsonl));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
  }

  /** Writes one line per event, in the field order of the package documentation. */
  public void writeJsonl(Appendable out) throws IOException {
    for (Event e : events) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("process", e.process());
      fields.put("type", e.type().json());
      fields.put("f", e.f());
      fields.put("key", e.key());
      fields.put("value", e.value());
      fields.put("time", e.time());
      out.append(JsonLine.write(fields)).append('\n');
    }
  }

  public String toJsonl() {
    StringBuilder sb = new StringBuilder();
    try {
      writeJsonl(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder does not fail
    }
    return sb.toString();
  }

  /**
   * Pairs each invocation with the next completion of the same process. A process with no
   * completion by the end of the history is indeterminate, like an {@code info}: the client may
   * have crashed after sending. Failed operations are included; the checker drops them.
   *
   * @throws HistoryFormatException if a process invokes while it has an operation pending, or
   *     completes one it never invoked or with a different f or key
   */
  public List<Operation> operations() {
    List<Operation> ops = new ArrayList<>();
    Map<Long, Integer> pending = new HashMap<>(); // process → index of its invoke event
    Map<Integer, Integer> idOfInvoke = new HashMap<>();
    Operation[] byInvoke = new Operation[events.size()];
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.type() == EventType.INVOKE) {
        Integer open = pending.put(e.process(), i);
        if (open != null) {
          throw new HistoryFormatException(
              "event "
                  + (i + 1)
                  + ": process "
                  + e.process()
                  + " invokes while its operation from event "
                  + (open + 1)
                  + " is pending (a process has at most one operation in flight)");
        }
        idOfInvoke.put(i, idOfInvoke.size());
        continue;
      }
      Integer open = pending.remove(e.process());
      if (open == null) {
        throw new HistoryFormatException(
            "event " + (i + 1) + ": process " + e.process() + " completes nothing it invoked");
      }
      Event inv = events.get(open);
      if (!inv.f().equals(e.f()) || !inv.key().equals(e.key())) {
        throw new HistoryFormatException(
            "event "
                + (i + 1)
                + ": completes "
                + e.f()
                + " "
                + e.key()
                + " but process "
                + e.process()
                + " invoked "
                + inv.f()
                + " "
                + inv.key());
      }
      byInvoke[open] = complete(idOfInvoke.get(open), inv, e);
    }
    for (Integer open : pending.values()) {
      Event inv = events.get(open);
      byInvoke[open] = complete(idOfInvoke.get(open), inv, null);
    }
    for (Operation op : byInvoke) {
      if (op != null) {
        ops.add(op);
      }
    }
    return ops;
  }

  private static Operation complete(int id, Event inv, Event done) {
    Operation.Outcome outcome =
        done == null
            ? Operation.Outcome.INDETERMINATE
            : switch (done.type()) {
              case OK -> Operation.Outcome.OK;
              case FAIL -> Operation.Outcome.FAIL;
              default -> Operation.Outcome.INDETERMINATE;
            };
    Object output = outcome == Operation.Outcome.OK ? done.value() : null;
    long completeTime = outcome == Operation.Outcome.INDETERMINATE ? 0 : done.time();
    if (outcome != Operation.Outcome.INDETERMINATE && completeTime < inv.time()) {
      throw new HistoryFormatException(
          "process " + inv.process() + " completes " + inv.f() + " before invoking it");
    }
    return new Operation(
        id,
        inv.process(),
        inv.f(),
        inv.key(),
        inv.value(),
        output,
        outcome,
        inv.time(),
        completeTime);
  }

  private static Event toEvent(Map<String, Object> fields) {
    return new Event(
        integer(fields, "process"),
        EventType.fromJson(string(fields, "type")),
        string(fields, "f"),
        string(fields, "key"),
        value(fields.get("value")),
        integer(fields, "time"));
  }

  private static String string(Map<String, Object> fields, String name) {
    if (!(fields.get(name) instanceof String s)) {
      throw new IllegalArgumentException("field \"" + name + "\" must be a string");
    }
    return s;
  }

  private static long integer(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof JsonLine.JsonNumber n) {
      try {
        return Long.parseLong(n.text());
      } catch (NumberFormatException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("field \"" + name + "\" must be a 64-bit integer");
  }

  /** Numbers become their literal text: values are compared as strings. */
  private static Object value(Object raw) {
    if (raw instanceof JsonLine.JsonNumber n) {
      return n.text();
    }
    if (raw instanceof List<?> items) {
      List<String> values = new ArrayList<>(items.size());
      for (Object item : items) {
        values.add(item instanceof JsonLine.JsonNumber n ? n.text() : (String) item);
      }
      return values;
    }
    return raw;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof History h && h.events.equals(events);
  }

  @Override
  public int hashCode() {
    return events.hashCode();
  }

  @Override
  public String toString() {
    return "History(" + events.size() + " events)";
  }
}
