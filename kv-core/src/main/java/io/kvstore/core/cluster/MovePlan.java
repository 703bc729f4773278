package io.kvstore.core.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The replica moves that take a map to its {@link TargetPlacement}, and the choice of which to run
 * next. Pure: computed from the map alone, so the controller can recompute it after every completed
 * move (each one changes the map) and after every membership change, and any node computes the same
 * plan from the same map.
 *
 * <p>Per partition, the members to add are the target's members missing from the current set and
 * the members to remove the current members the target lacks. They are paired into {@link Move}s of
 * one replica in and one out, so each Raft group changes one member at a time and never holds more
 * than N + 1 members. When the set is short (a node was removed by force), the extra additions come
 * first as add-only moves, restoring redundancy before anything else; when it is long, remove-only
 * moves come first. Removals take non-ACTIVE members first, and the preferred leader last, so
 * leadership moves once at most. A partition whose members already match but whose preferred leader
 * differs needs no data movement: it is listed in {@link #leaderChanges()}.
 *
 * <p>Data moved: a partition moves only the members the ring changed, so the replica slots moved
 * are about N x P x the share of weight that changed (measured in {@code MoveAmountTest}).
 */
public final class MovePlan {
  private final long epoch;
  private final TargetPlacement target;
  private final List<List<Move>> byPartition;
  private final List<Move> moves;
  private final List<PartitionEntry> leaderChanges;

  private MovePlan(
      long epoch,
      TargetPlacement target,
      List<List<Move>> byPartition,
      List<PartitionEntry> leaderChanges) {
    this.epoch = epoch;
    this.target = target;
    this.byPartition = byPartition;
    List<Move> all = new ArrayList<>();
    byPartition.forEach(all::addAll);
    this.moves = List.copyOf(all);
    this.leaderChanges = List.copyOf(leaderChanges);
  }

  /** The plan that takes {@code map} to its target placement. */
  public static MovePlan of(ClusterMap map) {
    Objects.requireNonNull(map, "map");
    TargetPlacement target = TargetPlacement.of(map);
    List<List<Move>> byPartition = new ArrayList<>();
    List<PartitionEntry> leaderChanges = new ArrayList<>();
    for (int p = 0; p < map.partitionCount(); p++) {
      List<String> current = map.partition(p).replicas();
      List<String> wanted = target.replicas(p);
      List<Move> steps = movesFor(map, p, current, wanted);
      byPartition.add(steps);
      if (steps.isEmpty() && !current.equals(wanted)) {
        leaderChanges.add(new PartitionEntry(p, wanted));
      }
    }
    return new MovePlan(map.epoch(), target, List.copyOf(byPartition), leaderChanges);
  }

  private static List<Move> movesFor(
      ClusterMap map, int p, List<String> current, List<String> wanted) {
    List<String> adds = new ArrayList<>(wanted);
    adds.removeAll(current);
    List<String> removes = removalOrder(map, current, wanted);
    int steps = Math.max(adds.size(), removes.size());
    if (steps == 0) {
      return List.of();
    }
    // Unpaired additions (a short set) run first; so do unpaired removals (a long set).
    int addOnly = Math.max(0, adds.size() - removes.size());
    int removeOnly = Math.max(0, removes.size() - adds.size());
    List<Move> out = new ArrayList<>(steps);
    List<String> set = new ArrayList<>(current);
    int a = 0;
    int r = 0;
    for (int step = 0; step < steps; step++) {
      Optional<String> add = step < removeOnly ? Optional.empty() : Optional.of(adds.get(a++));
      Optional<String> remove = step < addOnly ? Optional.empty() : Optional.of(removes.get(r++));
      List<String> before = List.copyOf(set);
      remove.ifPresent(set::remove);
      add.ifPresent(set::add);
      List<String> after = step == steps - 1 ? wanted : List.copyOf(set);
      out.add(new Move(p, step, steps, add, remove, before, after));
    }
    return List.copyOf(out);
  }

  /** Current members the target lacks: non-ACTIVE ones first, then the rest leader last. */
  private static List<String> removalOrder(
      ClusterMap map, List<String> current, List<String> wanted) {
    List<String> gone = new ArrayList<>();
    List<String> active = new ArrayList<>();
    for (String r : current) {
      if (!wanted.contains(r)) {
        boolean isActive = map.node(r).map(NodeEntry::isActive).orElse(false);
        (isActive ? active : gone).add(r);
      }
    }
    for (int i = active.size() - 1; i >= 0; i--) {
      gone.add(active.get(i));
    }
    return gone;
  }

  /** The epoch of the map this plan was computed from. */
  public long epoch() {
    return epoch;
  }

  public TargetPlacement target() {
    return target;
  }

  /** Every move, by partition and, within a partition, in the order they must run. */
  public List<Move> moves() {
    return moves;
  }

  /** The moves of {@code partition}, in the order they must run (empty if it is in place). */
  public List<Move> movesOf(int partition) {
    Objects.checkIndex(partition, byPartition.size());
    return byPartition.get(partition);
  }

  /**
   * Partitions whose members are already right but whose preferred leader is not: record the new
   * order with {@link ClusterMap#withReplicas} (and adjust Raft priorities); no data moves.
   */
  public List<PartitionEntry> leaderChanges() {
    return leaderChanges;
  }

  /** Whether the map already is its target: no move and no leader change. */
  public boolean isDone() {
    return moves.isEmpty() && leaderChanges.isEmpty();
  }

  /** Replica slots this plan fills on a node that did not hold them (moves with an addition). */
  public int replicasAdded() {
    return (int) moves.stream().filter(m -> m.add().isPresent()).count();
  }

  /**
   * The moves to start now, given the moves already in flight (started from an earlier plan and not
   * yet recorded in the map). Only a partition's first remaining move can start, and only if the
   * partition has no move in flight. Within {@code limits}: at most {@code maxMoves} in flight in
   * all, and per node at most {@code maxIncomingPerNode} moves adding to it and {@code
   * maxOutgoingPerNode} removing from it.
   *
   * <p>Choice: add-only moves first (they restore a short set's redundancy); then, one at a time,
   * the move whose two nodes carry the fewest moves in flight (counting those just chosen), ties by
   * partition. So the work spreads over the nodes instead of draining them in turn. Deterministic.
   *
   * @return the moves to start, in the order chosen; empty when nothing fits or nothing is left
   */
  public List<Move> nextBatch(Collection<Move> inFlight, MoveLimits limits) {
    Objects.requireNonNull(inFlight, "inFlight");
    Objects.requireNonNull(limits, "limits");
    Set<Integer> busy = new HashSet<>();
    Map<String, Integer> incoming = new HashMap<>();
    Map<String, Integer> outgoing = new HashMap<>();
    for (Move m : inFlight) {
      busy.add(m.partition());
      count(m, incoming, outgoing);
    }
    List<Move> candidates = new ArrayList<>();
    for (List<Move> steps : byPartition) {
      if (!steps.isEmpty() && !busy.contains(steps.get(0).partition())) {
        candidates.add(steps.get(0));
      }
    }
    List<Move> chosen = new ArrayList<>();
    int running = inFlight.size();
    while (running < limits.maxMoves()) {
      Move best = null;
      int bestIndex = -1;
      for (int i = 0; i < candidates.size(); i++) {
        Move c = candidates.get(i);
        int in = c.add().map(n -> incoming.getOrDefault(n, 0)).orElse(0);
        int out = c.remove().map(n -> outgoing.getOrDefault(n, 0)).orElse(0);
        if (in >= limits.maxIncomingPerNode() || out >= limits.maxOutgoingPerNode()) {
          continue;
        }
        if (best == null || before(c, best, incoming, outgoing)) {
          best = c;
          bestIndex = i;
        }
      }
      if (best == null) {
        break;
      }
      candidates.remove(bestIndex);
      chosen.add(best);
      count(best, incoming, outgoing);
      running++;
    }
    return List.copyOf(chosen);
  }

  private static boolean before(
      Move a, Move b, Map<String, Integer> incoming, Map<String, Integer> outgoing) {
    boolean aRefill = a.remove().isEmpty() && a.add().isPresent();
    boolean bRefill = b.remove().isEmpty() && b.add().isPresent();
    if (aRefill != bRefill) {
      return aRefill;
    }
    int c = Integer.compare(load(a, incoming, outgoing), load(b, incoming, outgoing));
    return c != 0 ? c < 0 : a.partition() < b.partition();
  }

  private static int load(Move m, Map<String, Integer> incoming, Map<String, Integer> outgoing) {
    return m.add().map(n -> incoming.getOrDefault(n, 0)).orElse(0)
        + m.remove().map(n -> outgoing.getOrDefault(n, 0)).orElse(0);
  }

  private static void count(Move m, Map<String, Integer> incoming, Map<String, Integer> outgoing) {
    m.add().ifPresent(n -> incoming.merge(n, 1, Integer::sum));
    m.remove().ifPresent(n -> outgoing.merge(n, 1, Integer::sum));
  }

  @Override
  public String toString() {
    return "MovePlan[epoch "
        + epoch
        + ", "
        + moves.size()
        + " moves, "
        + leaderChanges.size()
        + " leader changes]";
  }
}
