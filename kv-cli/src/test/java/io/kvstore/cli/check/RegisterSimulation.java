package io.kvstore.cli.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Histories of a correct register, for testing the checker against ground truth. Clients run
 * concurrently in simulated time; every operation that takes effect gets a real linearization point
 * inside its interval (an indeterminate one anywhere after its invocation, or none), and results
 * come from applying the operations to a map in point order. So every generated history is
 * linearizable by construction, and {@link #injectStaleRead} makes one provably not.
 *
 * <p>Workload as in Jepsen's register test: reads/writes/cas, unique written values, keys rotated
 * every few hundred operations, a client retired (new process id) after an indeterminate result.
 */
final class RegisterSimulation {

  /**
   * @param clients concurrent clients
   * @param operations total operations
   * @param minPerKey fewest operations before moving to the next key
   * @param maxPerKey most operations before moving to the next key
   * @param indeterminate probability that an operation's outcome is unknown to its client
   * @param maxDuration longest operation, in time units; gaps between a client's operations are up
   *     to a third of it, so about {@code clients * 0.8} operations overlap
   */
  record Settings(
      int clients,
      int operations,
      int minPerKey,
      int maxPerKey,
      double indeterminate,
      long maxDuration,
      long seed) {

    Settings withSeed(long s) {
      return new Settings(clients, operations, minPerKey, maxPerKey, indeterminate, maxDuration, s);
    }
  }

  /** One operation as the simulation knows it, including its true linearization point. */
  private static final class SimOp {
    long process;
    String f;
    String key;
    Object input;
    Object output;
    EventType end; // null: the client crashed, no completion recorded
    long start;
    long finish;
    long point = -1; // -1: never took effect
  }

  private final List<SimOp> ops = new ArrayList<>();
  private final SplittableRandom random;

  private RegisterSimulation(long seed) {
    this.random = new SplittableRandom(seed);
  }

  static RegisterSimulation run(Settings s) {
    RegisterSimulation sim = new RegisterSimulation(s.seed());
    sim.generate(s);
    sim.apply();
    return sim;
  }

  private void generate(Settings s) {
    long[] now = new long[s.clients()];
    long[] process = new long[s.clients()];
    for (int c = 0; c < s.clients(); c++) {
      process[c] = c;
      now[c] = random.nextLong(s.maxDuration());
    }
    Map<String, String> lastSeen = new HashMap<>(); // per key, a recent value, to aim cas at
    int keyNo = 0;
    int leftOnKey = perKey(s);
    int valueNo = 0;
    for (int n = 0; n < s.operations(); n++) {
      if (leftOnKey-- == 0) {
        keyNo++;
        leftOnKey = perKey(s) - 1;
      }
      int c = earliest(now);
      SimOp op = new SimOp();
      op.process = process[c];
      op.key = "k" + keyNo;
      op.start = now[c];
      op.finish = op.start + 1 + random.nextLong(s.maxDuration());
      double r = random.nextDouble();
      if (r < 0.5) {
        op.f = "read";
      } else if (r < 0.8) {
        op.f = "write";
        op.input = "v" + valueNo++;
      } else {
        op.f = "cas";
        String expected = random.nextInt(4) == 0 ? "v" + random.nextInt(valueNo + 1) : null;
        if (expected == null) {
          expected = lastSeen.get(op.key);
        }
        op.input = Arrays.asList(expected, "v" + valueNo++);
      }
      if (random.nextDouble() < s.indeterminate()) {
        op.end = random.nextInt(10) == 0 ? null : EventType.INFO;
        if (!op.f.equals("read") && random.nextBoolean()) {
          // May take effect well after the client gave up on it.
          op.point = op.start + random.nextLong(3 * (op.finish - op.start) + 1);
        }
        process[c] += s.clients(); // retired, as Jepsen does: at most one pending op per process
      } else {
        op.end = EventType.OK;
        op.point = op.start + random.nextLong(op.finish - op.start + 1);
      }
      if (op.input instanceof String v) {
        lastSeen.put(op.key, v);
      }
      ops.add(op);
      now[c] = op.finish + 1 + random.nextLong(s.maxDuration() / 3 + 1);
    }
  }

  private int perKey(Settings s) {
    return s.minPerKey() + random.nextInt(s.maxPerKey() - s.minPerKey() + 1);
  }

  private static int earliest(long[] now) {
    int c = 0;
    for (int i = 1; i < now.length; i++) {
      if (now[i] < now[c]) {
        c = i;
      }
    }
    return c;
  }

  /** Runs the operations that took effect against a real map in linearization-point order. */
  private void apply() {
    List<SimOp> effective = new ArrayList<>();
    for (SimOp op : ops) {
      if (op.point >= 0) {
        effective.add(op);
      }
    }
    effective.sort(Comparator.comparingLong(o -> o.point));
    Map<String, String> register = new HashMap<>();
    for (SimOp op : effective) {
      String current = register.get(op.key);
      switch (op.f) {
        case "read" -> op.output = current;
        case "write" -> {
          register.put(op.key, (String) op.input);
          op.output = op.input;
        }
        default -> {
          List<?> args = (List<?>) op.input;
          boolean matches = Objects.equals(current, args.get(0));
          if (matches) {
            register.put(op.key, (String) args.get(1));
          }
          op.output = op.input;
          if (op.end == EventType.OK && !matches) {
            op.end = EventType.FAIL;
            op.point = -1;
          }
        }
      }
    }
  }

  /**
   * Makes one ok read return a value that was overwritten before the read began: the value of an ok
   * write or cas W1 that completed before an ok write W2 which completed before the read was
   * invoked. Values are unique, so nothing can have restored it: provably not linearizable. The
   * read is the first eligible one from a random position.
   *
   * @return a description of the change, or null if this history has no such triple
   */
  String injectStaleRead() {
    // Start at a random operation: where the bug sits decides how much the checker must search.
    int from = random.nextInt(ops.size());
    for (int k = 0; k < ops.size(); k++) {
      SimOp read = ops.get((from + k) % ops.size());
      if (!read.f.equals("read") || read.end != EventType.OK) {
        continue;
      }
      SimOp overwrite = latest(read.key, read.start, true, null);
      if (overwrite == null) {
        continue;
      }
      SimOp stale = latest(read.key, overwrite.start, false, read.output);
      if (stale == null) {
        continue;
      }
      String old = written(stale);
      String was = String.valueOf(read.output);
      read.output = old;
      return "read of " + read.key + " at " + read.start + " returns " + old + " instead of " + was;
    }
    return null;
  }

  /** The ok write (or cas too, unless {@code writeOnly}) completing last before {@code before}. */
  private SimOp latest(String key, long before, boolean writeOnly, Object notValue) {
    SimOp best = null;
    for (SimOp op : ops) {
      boolean writes = op.f.equals("write") || (!writeOnly && op.f.equals("cas"));
      if (writes
          && op.end == EventType.OK
          && op.key.equals(key)
          && op.finish < before
          && !Objects.equals(written(op), notValue)
          && (best == null || op.finish > best.finish)) {
        best = op;
      }
    }
    return best;
  }

  private static String written(SimOp op) {
    return op.input instanceof List<?> args ? (String) args.get(1) : (String) op.input;
  }

  History history() {
    List<Event> events = new ArrayList<>(2 * ops.size());
    for (SimOp op : ops) {
      events.add(Event.invoke(op.process, op.f, op.key, op.input, op.start));
      if (op.end != null) {
        Object value = op.end == EventType.OK ? op.output : op.input;
        events.add(new Event(op.process, op.end, op.f, op.key, value, op.finish));
      }
    }
    // A client's next invocation comes strictly after its completion, so sorting by time keeps
    // every process's events in order.
    events.sort(Comparator.comparingLong(Event::time));
    return new History(events);
  }
}
