package io.kvstore.cli.drill;

import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import java.util.ArrayList;
import java.util.List;

/**
 * A thread-safe, append-only list of events. Each client thread appends its own events in the order
 * it produced them, which is all {@link History} needs; times come from {@link System#nanoTime()}
 * taken by the caller.
 */
public final class HistoryRecorder {
  private final List<Event> events = new ArrayList<>();

  public synchronized void record(Event e) {
    events.add(e);
  }

  public synchronized int size() {
    return events.size();
  }

  public synchronized History snapshot() {
    return new History(events);
  }
}
