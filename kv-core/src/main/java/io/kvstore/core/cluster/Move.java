package io.kvstore.core.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a partition's replica change: at most one replica in ({@link #add}) and at most one
 * out ({@link #remove}), so the partition's Raft group changes one member at a time. The controller
 * adds {@code add} to the group (it catches up as a staged member), then removes {@code remove},
 * then records {@link #replicasAfter} in the map ({@link ClusterMap#withReplicas}).
 *
 * <p>A partition whose set differs from its target in k members has k moves, {@link #step} 0 to
 * {@link #steps} - 1, which must run in that order (each starts from the set the previous one
 * left). A swap has both nodes; an add-only move (no {@code remove}) refills a set left short by a
 * forced removal; a remove-only move (no {@code add}) trims a set longer than its target.
 *
 * @param partition the partition
 * @param step this move's place in the partition's sequence, from 0
 * @param steps how many moves the partition's sequence has
 * @param add the node that gains a replica, if any
 * @param remove the node that loses its replica, if any
 * @param replicasBefore the set this move starts from (first = preferred leader)
 * @param replicasAfter the set once this move is done, to record in the map; after the last step it
 *     is the partition's target, leader order included
 */
public record Move(
    int partition,
    int step,
    int steps,
    Optional<String> add,
    Optional<String> remove,
    List<String> replicasBefore,
    List<String> replicasAfter) {

  public Move {
    Objects.requireNonNull(add, "add");
    Objects.requireNonNull(remove, "remove");
    replicasBefore = List.copyOf(replicasBefore);
    replicasAfter = List.copyOf(replicasAfter);
    if (partition < 0) {
      throw new IllegalArgumentException("partition must not be negative; got " + partition);
    }
    if (add.isEmpty() && remove.isEmpty()) {
      throw new IllegalArgumentException("partition " + partition + ": a move changes a replica");
    }
    if (step < 0 || step >= steps) {
      throw new IllegalArgumentException(
          "partition " + partition + ": step " + step + " of " + steps);
    }
    if (add.isPresent() && add.equals(remove)) {
      throw new IllegalArgumentException(
          "partition " + partition + ": adds and removes " + add.get());
    }
  }

  /**
   * The members while the move runs: {@link #replicasBefore} plus {@link #add} (the new member has
   * joined, the old one not yet left). Never repeats a node.
   */
  public List<String> replicasDuring() {
    HashSet<String> seen = new HashSet<>(replicasBefore);
    if (add.isEmpty() || !seen.add(add.get())) {
      return replicasBefore;
    }
    ArrayList<String> during = new ArrayList<>(replicasBefore);
    during.add(add.get());
    return List.copyOf(during);
  }

  /** Whether the node takes part in this move, as the node gaining or losing a replica. */
  public boolean involves(String nodeId) {
    return add.filter(nodeId::equals).isPresent() || remove.filter(nodeId::equals).isPresent();
  }

  @Override
  public String toString() {
    return "p"
        + partition
        + " ["
        + (step + 1)
        + "/"
        + steps
        + "] +"
        + add.orElse("-")
        + " -"
        + remove.orElse("-")
        + " -> "
        + replicasAfter;
  }
}
