package io.kvstore.cli.drill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Process faults on a seeded random schedule: quiet windows alternate with fault windows, each
 * fault either a kill -9 of a random node followed (after a short downtime) by its restart, or a
 * SIGSTOP of a random node for 1–10 election timeouts followed by SIGCONT. The schedule is a pure
 * function of the seed and parameters ({@link #plan}), so a failing run can be replayed; {@link
 * #run} executes it against {@link ProcessNodes} and logs what actually happened as {@link
 * FaultWindow}s.
 */
public final class Nemesis {
  /** A fault kind. */
  public enum Kind {
    KILL,
    PAUSE
  }

  /**
   * One planned fault: at {@code startMs} after the run began, fault {@code node} for {@code
   * lengthMs} (kill: the downtime before the restart; pause: the time between SIGSTOP and SIGCONT).
   */
  public record PlannedFault(long startMs, Kind kind, int node, long lengthMs) {}

  /**
   * A fault as executed: {@code start} when the signal was sent, {@code end} when the node was
   * restarted or resumed; both {@link System#nanoTime()}.
   */
  public record FaultWindow(Kind kind, int node, long startNanos, long endNanos) {}

  /** Parameters of a schedule, all in milliseconds. */
  public record Params(
      long durationMs,
      int nodes,
      long electionTimeoutMs,
      long quietMinMs,
      long quietMaxMs,
      long killDowntimeMinMs,
      long killDowntimeMaxMs,
      long finalQuietMs) {

    /** Defaults for a drill of {@code durationMs} on {@code nodes} nodes. */
    public static Params defaults(long durationMs, int nodes, long electionTimeoutMs) {
      return new Params(durationMs, nodes, electionTimeoutMs, 2_000, 5_000, 500, 3_000, 3_000);
    }
  }

  private Nemesis() {}

  /**
   * The schedule for {@code seed}: starts with a quiet window, alternates faults and quiet windows,
   * and leaves the last {@code finalQuietMs} free of faults so recovery is observed. Deterministic:
   * the same seed and parameters give the same list.
   */
  public static List<PlannedFault> plan(long seed, Params p) {
    Random r = new Random(seed);
    List<PlannedFault> faults = new ArrayList<>();
    long end = p.durationMs() - p.finalQuietMs();
    long t = between(r, p.quietMinMs(), p.quietMaxMs());
    while (true) {
      Kind kind = r.nextBoolean() ? Kind.KILL : Kind.PAUSE;
      int node = r.nextInt(p.nodes());
      long length =
          kind == Kind.KILL
              ? between(r, p.killDowntimeMinMs(), p.killDowntimeMaxMs())
              : between(r, p.electionTimeoutMs(), 10 * p.electionTimeoutMs());
      if (t + length > end) {
        // Shorten to fit if at least the minimum still fits; otherwise the schedule is complete.
        long min = kind == Kind.KILL ? p.killDowntimeMinMs() : p.electionTimeoutMs();
        if (t + min > end) {
          break;
        }
        length = end - t;
      }
      faults.add(new PlannedFault(t, kind, node, length));
      t += length + between(r, p.quietMinMs(), p.quietMaxMs());
    }
    return Collections.unmodifiableList(faults);
  }

  private static long between(Random r, long min, long max) {
    return max <= min ? min : min + (long) (r.nextDouble() * (max - min + 1));
  }

  /**
   * Executes {@code plan} from {@code startNanos}, sleeping between faults (the nemesis is a
   * timeline, so sleeping is its job); stops early, healing the current fault, when interrupted.
   * Every executed window goes to {@code log} as soon as it ends.
   */
  public static void run(
      List<PlannedFault> plan, ProcessNodes nodes, long startNanos, Consumer<FaultWindow> log)
      throws InterruptedException {
    for (PlannedFault f : plan) {
      sleepUntil(startNanos + f.startMs() * 1_000_000);
      long begin = System.nanoTime();
      if (f.kind() == Kind.KILL) {
        nodes.kill9(f.node());
      } else {
        nodes.pause(f.node());
      }
      try {
        sleepUntil(begin + f.lengthMs() * 1_000_000);
      } finally {
        if (f.kind() == Kind.KILL) {
          nodes.start(f.node());
        } else {
          nodes.resume(f.node());
        }
        log.accept(new FaultWindow(f.kind(), f.node(), begin, System.nanoTime()));
      }
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }
}
