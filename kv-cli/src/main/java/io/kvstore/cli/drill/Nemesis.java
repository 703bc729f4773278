package io.kvstore.cli.drill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Faults on a seeded random schedule: quiet windows alternate with fault windows. Process faults: a
 * kill -9 of a random node followed (after a short downtime) by its restart, or a SIGSTOP of a
 * random node for 1–10 election timeouts followed by SIGCONT. Network faults (nftables, see {@link
 * NftPartitions}; 3–10 election timeouts each): isolate one node, isolate the current leader of a
 * partition, a majority/minority split, a majorities ring (every node sees a majority, no two the
 * same one) and a bridge (two sides that only a middle node connects). Leadership-transfer storms
 * move partition leaders every 0.5–1.5 s through Ratis' admin API ({@link LeaderTransfers}).
 *
 * <p>The schedule is a pure function of the seed and parameters ({@link #plan}), so a failing run
 * can be replayed (the leader a fault targets is found when it starts); {@link #run} executes it
 * against {@link ProcessNodes} and logs what actually happened as {@link FaultWindow}s. Every
 * network fault is healed in a {@code finally}, and the nft table goes with the cluster.
 */
public final class Nemesis {
  /** A fault kind. */
  public enum Kind {
    KILL,
    PAUSE,
    /** Cut one node off from every other node. */
    ISOLATE,
    /** Cut off the node that leads a partition when the fault starts. */
    ISOLATE_LEADER,
    /** Split into a minority and a majority. */
    MAJORITY,
    /** Majorities ring: each node keeps only its two ring neighbours (4+ nodes). */
    RING,
    /** Two sides connected only through one bridge node (3+ nodes). */
    BRIDGE,
    /** Leadership-transfer storm: move partition leaders repeatedly. */
    TRANSFER;

    /** The name on the command line and in reports: lower case, '-' for '_'. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean network() {
      return this == ISOLATE
          || this == ISOLATE_LEADER
          || this == MAJORITY
          || this == RING
          || this == BRIDGE;
    }

    /** Parses a label ({@code isolate-leader}) or name. */
    public static Kind parse(String s) {
      return Kind.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /** The process faults of the first drills. */
  public static final Set<Kind> PROCESS =
      Collections.unmodifiableSet(EnumSet.of(Kind.KILL, Kind.PAUSE));

  /**
   * One planned fault: at {@code startMs} after the run began, fault {@code node} for {@code
   * lengthMs} (kill: the downtime before the restart; pause: the time between SIGSTOP and SIGCONT;
   * network faults and storms: the time until healed). For ISOLATE_LEADER {@code node} is the
   * partition whose leader is cut off. {@code order} is a seeded permutation of the nodes that
   * network faults draw their sides from.
   */
  public record PlannedFault(
      long startMs, Kind kind, int node, long lengthMs, List<Integer> order) {
    public PlannedFault(long startMs, Kind kind, int node, long lengthMs) {
      this(startMs, kind, node, lengthMs, List.of());
    }
  }

  /**
   * A fault as executed: {@code start} when the signal was sent or the rules were in place, {@code
   * end} when the node was restarted or resumed or the network healed; both {@link
   * System#nanoTime()}. {@code node} is the node the fault was aimed at (for a split, ring or
   * bridge the first node of {@code nodes}); {@code nodes} every node it cut off, paused or killed;
   * {@code detail} says how, e.g. {@code n1 | n2 n3}.
   */
  public record FaultWindow(
      Kind kind, int node, long startNanos, long endNanos, List<Integer> nodes, String detail) {
    public FaultWindow(Kind kind, int node, long startNanos, long endNanos) {
      this(kind, node, startNanos, endNanos, List.of(node), "n" + (node + 1));
    }
  }

  /** Parameters of a schedule, all in milliseconds. */
  public record Params(
      long durationMs,
      int nodes,
      long electionTimeoutMs,
      long quietMinMs,
      long quietMaxMs,
      long killDowntimeMinMs,
      long killDowntimeMaxMs,
      long finalQuietMs,
      Set<Kind> kinds,
      int partitions) {

    public Params {
      kinds = Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    /** Defaults for a drill of {@code durationMs} on {@code nodes} nodes: kills and pauses. */
    public static Params defaults(long durationMs, int nodes, long electionTimeoutMs) {
      return new Params(
          durationMs,
          nodes,
          electionTimeoutMs,
          2_000,
          5_000,
          500,
          3_000,
          3_000,
          PROCESS,
          ProcessNodes.PARTITIONS);
    }

    /** The same with these fault kinds (those that need more nodes than there are are dropped). */
    public Params withKinds(Set<Kind> k) {
      EnumSet<Kind> usable = EnumSet.copyOf(k);
      if (nodes < 4) {
        usable.remove(Kind.RING);
      }
      if (nodes < 3) {
        usable.remove(Kind.BRIDGE);
        usable.remove(Kind.MAJORITY);
      }
      if (nodes < 2) {
        usable.removeIf(Kind::network);
      }
      if (usable.isEmpty()) {
        throw new IllegalArgumentException(
            "no fault kind in " + k + " works with " + nodes + " nodes");
      }
      return new Params(
          durationMs,
          nodes,
          electionTimeoutMs,
          quietMinMs,
          quietMaxMs,
          killDowntimeMinMs,
          killDowntimeMaxMs,
          finalQuietMs,
          usable,
          partitions);
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
    List<Kind> kinds = new ArrayList<>(p.kinds());
    boolean processOnly = p.kinds().equals(PROCESS);
    List<PlannedFault> faults = new ArrayList<>();
    long end = p.durationMs() - p.finalQuietMs();
    long t = between(r, p.quietMinMs(), p.quietMaxMs());
    while (true) {
      Kind kind;
      if (processOnly) {
        kind = r.nextBoolean() ? Kind.KILL : Kind.PAUSE; // the first drills' schedules, unchanged
      } else {
        kind = kinds.get(r.nextInt(kinds.size()));
      }
      int node = kind == Kind.ISOLATE_LEADER ? r.nextInt(p.partitions()) : r.nextInt(p.nodes());
      long min = minLength(kind, p);
      long length =
          switch (kind) {
            case KILL -> between(r, p.killDowntimeMinMs(), p.killDowntimeMaxMs());
            case PAUSE -> between(r, p.electionTimeoutMs(), 10 * p.electionTimeoutMs());
            default -> between(r, min, 10 * p.electionTimeoutMs());
          };
      List<Integer> order = List.of();
      if (!processOnly) {
        List<Integer> o = new ArrayList<>();
        for (int i = 0; i < p.nodes(); i++) {
          o.add(i);
        }
        Collections.shuffle(o, r);
        order = List.copyOf(o);
      }
      if (t + length > end) {
        // Shorten to fit if at least the minimum still fits; otherwise the schedule is complete.
        if (t + min > end) {
          break;
        }
        length = end - t;
      }
      faults.add(new PlannedFault(t, kind, node, length, order));
      t += length + between(r, p.quietMinMs(), p.quietMaxMs());
    }
    return Collections.unmodifiableList(faults);
  }

  private static long minLength(Kind kind, Params p) {
    return switch (kind) {
      case KILL -> p.killDowntimeMinMs();
      case PAUSE -> p.electionTimeoutMs();
      default -> 3 * p.electionTimeoutMs();
    };
  }

  /**
   * The stale-read control: the leader of partition 0 (found when each fault starts) is cut off for
   * 8 s, then 3 s of quiet, over and over, from 3 s in until the final quiet period. Eight seconds
   * leave the majority ample time to elect a new leader and acknowledge writes that the isolated
   * node cannot have seen, so a read served from the isolated node's own state is stale for
   * certain.
   */
  public static List<PlannedFault> staleReadControl(long durationMs, int nodes, long finalQuietMs) {
    List<PlannedFault> faults = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      order.add(i);
    }
    long t = 3_000;
    while (t + 8_000 <= durationMs - finalQuietMs) {
      faults.add(new PlannedFault(t, Kind.ISOLATE_LEADER, 0, 8_000, List.copyOf(order)));
      t += 8_000 + 3_000;
    }
    return Collections.unmodifiableList(faults);
  }

  private static long between(Random r, long min, long max) {
    return max <= min ? min : min + (long) (r.nextDouble() * (max - min + 1));
  }

  /** {@link #run(List, ProcessNodes, long, Consumer, IntConsumer)} without a listener. */
  public static void run(
      List<PlannedFault> plan, ProcessNodes nodes, long startNanos, Consumer<FaultWindow> log)
      throws InterruptedException {
    run(plan, nodes, startNanos, log, n -> {});
  }

  /**
   * Executes {@code plan} from {@code startNanos}, sleeping between faults (the nemesis is a
   * timeline, so sleeping is its job); stops early, healing the current fault, when interrupted.
   * Every executed window goes to {@code log} as soon as it ends; {@code cutOff} hears of every
   * node a network fault isolates (or puts in a minority) as the fault starts.
   */
  public static void run(
      List<PlannedFault> plan,
      ProcessNodes nodes,
      long startNanos,
      Consumer<FaultWindow> log,
      IntConsumer cutOff)
      throws InterruptedException {
    for (PlannedFault f : plan) {
      sleepUntil(startNanos + f.startMs() * 1_000_000);
      // On a slow host a fault can start late; network faults and storms then end on schedule
      // (shortened), and one whose whole window has passed is skipped, so the final quiet period
      // stays fault-free.
      long plannedEnd = startNanos + (f.startMs() + f.lengthMs()) * 1_000_000;
      if (System.nanoTime() >= plannedEnd) {
        continue;
      }
      switch (f.kind()) {
        case KILL, PAUSE -> processFault(f, nodes, log);
        case TRANSFER -> storm(f, nodes, log, plannedEnd);
        default -> networkFault(f, nodes, log, cutOff, plannedEnd);
      }
    }
  }

  private static void processFault(PlannedFault f, ProcessNodes nodes, Consumer<FaultWindow> log)
      throws InterruptedException {
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

  /** The sides of a network fault, as node indexes; {@link #links} says which links to cut. */
  static List<List<Integer>> sides(Kind kind, int target, List<Integer> order, int n) {
    List<Integer> rest = new ArrayList<>(order);
    switch (kind) {
      case ISOLATE, ISOLATE_LEADER -> {
        rest.remove(Integer.valueOf(target));
        return List.of(List.of(target), rest);
      }
      case MAJORITY -> {
        int minority = (n - 1) / 2;
        return List.of(
            List.copyOf(order.subList(0, minority)), List.copyOf(order.subList(minority, n)));
      }
      case BRIDGE -> {
        // order[0] is the bridge; the others split in two sides.
        int half = 1 + (n - 1) / 2;
        return List.of(
            List.copyOf(order.subList(1, half)),
            List.of(order.get(0)),
            List.copyOf(order.subList(half, n)));
      }
      case RING -> {
        return List.of(List.copyOf(order));
      }
      default -> throw new IllegalArgumentException(kind + " is not a network fault");
    }
  }

  /** The directed links {@code [from, to]} a network fault cuts. */
  static List<int[]> links(Kind kind, List<List<Integer>> sides, List<Integer> order, int n) {
    List<int[]> out = new ArrayList<>();
    if (kind == Kind.RING) {
      // Node order[k] keeps order[k-1] and order[k+1]; every other pair is cut both ways.
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          int d = Math.floorMod(a - b, n);
          if (a != b && d != 1 && d != n - 1) {
            out.add(new int[] {order.get(a), order.get(b)});
          }
        }
      }
      return out;
    }
    if (kind == Kind.BRIDGE) {
      for (int x : sides.get(0)) {
        for (int y : sides.get(2)) {
          out.add(new int[] {x, y});
          out.add(new int[] {y, x});
        }
      }
      return out;
    }
    for (int s = 0; s < sides.size(); s++) {
      for (int t = 0; t < sides.size(); t++) {
        if (s != t) {
          for (int x : sides.get(s)) {
            for (int y : sides.get(t)) {
              out.add(new int[] {x, y});
            }
          }
        }
      }
    }
    return out;
  }

  private static String describe(Kind kind, List<List<Integer>> sides) {
    List<String> parts = new ArrayList<>();
    for (List<Integer> side : sides) {
      List<String> names = new ArrayList<>();
      for (int i : side) {
        names.add("n" + (i + 1));
      }
      parts.add(String.join(" ", names));
    }
    return kind == Kind.RING ? "ring " + parts.get(0) : String.join(" | ", parts);
  }

  private static void networkFault(
      PlannedFault f,
      ProcessNodes nodes,
      Consumer<FaultWindow> log,
      IntConsumer cutOff,
      long plannedEnd)
      throws InterruptedException {
    int n = nodes.size();
    List<Integer> order = f.order().isEmpty() ? identity(n) : f.order();
    int target = f.node();
    String detail = "";
    if (f.kind() == Kind.ISOLATE_LEADER) {
      int leader = nodes.leaderOf(f.node());
      detail = "leader of p" + f.node() + ": ";
      target = leader >= 0 ? leader : order.get(0);
      if (leader < 0) {
        detail = "p" + f.node() + " had no leader, ";
      }
    }
    List<List<Integer>> sides = sides(f.kind(), target, order, n);
    List<int[]> links = links(f.kind(), sides, order, n);
    List<Integer> affected = new ArrayList<>();
    switch (f.kind()) {
      case ISOLATE, ISOLATE_LEADER, MAJORITY -> affected.addAll(sides.get(0));
      case BRIDGE -> affected.addAll(sides.get(1));
      default -> affected.addAll(order);
    }
    if (!affected.isEmpty()) {
      cutOff.accept(affected.get(0));
    }
    long begin = System.nanoTime();
    try {
      nodes.cutLinks(links);
      sleepUntil(plannedEnd);
    } finally {
      nodes.heal();
      log.accept(
          new FaultWindow(
              f.kind(),
              affected.isEmpty() ? target : affected.get(0),
              begin,
              System.nanoTime(),
              List.copyOf(affected),
              detail + describe(f.kind(), sides)));
    }
  }

  private static void storm(
      PlannedFault f, ProcessNodes nodes, Consumer<FaultWindow> log, long plannedEnd)
      throws InterruptedException {
    Random r = new Random(f.startMs() * 31 + f.node());
    LeaderTransfers transfers = nodes.leaderTransfers();
    long begin = System.nanoTime();
    long end = plannedEnd;
    List<Integer> moved = new ArrayList<>();
    int ok = 0;
    int tries = 0;
    String firstFailure = null;
    try {
      while (System.nanoTime() < end) {
        int p = r.nextInt(ProcessNodes.PARTITIONS);
        int leader = nodes.leaderOf(p);
        if (leader >= 0) {
          tries++;
          LeaderTransfers.Outcome o = transfers.move(p, nodes.id(leader), 3_000);
          if (o.success()) {
            ok++;
            if (!moved.contains(leader)) {
              moved.add(leader);
            }
          } else if (firstFailure == null) {
            firstFailure = o.detail();
          }
        }
        sleepUntil(Math.min(end, System.nanoTime() + between(r, 500, 1_500) * 1_000_000));
      }
    } finally {
      log.accept(
          new FaultWindow(
              Kind.TRANSFER,
              moved.isEmpty() ? -1 : moved.get(0),
              begin,
              System.nanoTime(),
              List.copyOf(moved),
              ok
                  + " of "
                  + tries
                  + " transfers done"
                  + (firstFailure == null ? "" : "; first refusal: " + firstFailure)));
    }
  }

  private static List<Integer> identity(int n) {
    List<Integer> o = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      o.add(i);
    }
    return o;
  }

  /** Parses {@code kill,pause,isolate,...} or {@code all}, {@code process}, {@code network}. */
  public static Set<Kind> parseKinds(String list) {
    EnumSet<Kind> out = EnumSet.noneOf(Kind.class);
    for (String s : list.split(",")) {
      String k = s.trim().toLowerCase(Locale.ROOT);
      switch (k) {
        case "all" -> out.addAll(EnumSet.allOf(Kind.class));
        case "process" -> out.addAll(PROCESS);
        case "network", "partition", "partitions" -> {
          for (Kind x : Kind.values()) {
            if (x.network()) {
              out.add(x);
            }
          }
        }
        default -> {
          try {
            out.add(Kind.parse(k));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "unknown fault kind '"
                    + s.trim()
                    + "'; known: all, process, network, "
                    + String.join(
                        ", ", EnumSet.allOf(Kind.class).stream().map(Kind::label).toList()));
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no fault kind given");
    }
    return out;
  }

  /** How many planned faults of each kind: for the report header. */
  static Map<Kind, Long> census(List<PlannedFault> plan) {
    Map<Kind, Long> m = new java.util.EnumMap<>(Kind.class);
    for (PlannedFault f : plan) {
      m.merge(f.kind(), 1L, Long::sum);
    }
    return m;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }
}
