package io.kvstore.core.cluster;

import static io.kvstore.core.cluster.Maps.node;
import static io.kvstore.core.cluster.Maps.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ClusterMapTransitionsTest {
  private final ClusterMap map = ClusterMap.bootstrap(nodes(4), 16, 3);

  private static void refused(String message, Executable change) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, change);
    assertEquals(message, e.getMessage());
  }

  @Test
  void nodeAdded_isActiveWithNoReplicasAndBumpsTheEpoch() {
    ClusterMap next = map.withNodeAdded(node("n5", 5, "z5", 2));
    assertEquals(map.epoch() + 1, next.epoch());
    assertEquals(5, next.nodes().size());
    assertTrue(next.partitionsOf("n5").isEmpty());
    assertEquals(map.partitions(), next.partitions());
    assertEquals(map.metaVoters(), next.metaVoters());
    assertEquals(4, map.nodes().size(), "the old map is unchanged");
  }

  @Test
  void nodeAdded_refusesADuplicateIdOrEndpoint() {
    refused("node n2 is already in the map", () -> map.withNodeAdded(node("n2", 9, "z9", 1)));
    refused(
        "node n9: endpoint 127.0.0.3:9860 is already used by n3",
        () -> map.withNodeAdded(node("n9", 3, "z9", 1)));
    refused(
        "node n9: endpoint 127.0.0.2:9870 is already used by n2",
        () ->
            map.withNodeAdded(
                new NodeEntry(
                    "n9", "127.0.0.9:1", "127.0.0.2:9870", "z", 1, NodeEntry.State.ACTIVE)));
    refused(
        "node n9: raft and client endpoint are both 127.0.0.9:1",
        () ->
            map.withNodeAdded(
                new NodeEntry("n9", "127.0.0.9:1", "127.0.0.9:1", "z", 1, NodeEntry.State.ACTIVE)));
    refused(
        "node n9: a new node must be ACTIVE, not DECOMMISSIONING",
        () -> map.withNodeAdded(node("n9", 9, "z9", 1).withState(NodeEntry.State.DECOMMISSIONING)));
  }

  @Test
  void decommissioning_marksTheNodeAndKeepsItsReplicas() {
    ClusterMap next = map.withDecommissioning("n1");
    assertEquals(map.epoch() + 1, next.epoch());
    assertEquals(NodeEntry.State.DECOMMISSIONING, next.node("n1").orElseThrow().state());
    assertFalse(next.node("n1").orElseThrow().isActive());
    assertEquals(map.partitions(), next.partitions());
    refused("node n1 is already DECOMMISSIONING", () -> next.withDecommissioning("n1"));
    refused("no node n7 in the map", () -> map.withDecommissioning("n7"));
    refused(
        "decommissioning n2 would leave 2 active nodes for 3 replicas; add a node first",
        () -> next.withDecommissioning("n2"));
  }

  @Test
  void active_callsOffADecommission() {
    ClusterMap next = map.withDecommissioning("n1").withActive("n1");
    assertEquals(map.epoch() + 2, next.epoch());
    assertEquals(map.nodes(), next.nodes());
    refused("node n1 is already ACTIVE", () -> next.withActive("n1"));
  }

  @Test
  void nodeRemoved_needsADrainedNonVoterUnlessForced() {
    int held = map.partitionsOf("n4").size();
    int first = map.partitionsOf("n4").get(0);
    refused(
        "node n4 still holds replicas of "
            + held
            + " partitions (first: "
            + first
            + "); drain it first or force",
        () -> map.withNodeRemoved("n4", false));
    ClusterMap drained = map;
    for (int p : map.partitionsOf("n4")) {
      List<String> set = new java.util.ArrayList<>(map.partition(p).replicas());
      set.remove("n4");
      drained = drained.withReplicas(p, set);
    }
    ClusterMap removed = drained.withNodeRemoved("n4", false);
    assertEquals(drained.epoch() + 1, removed.epoch());
    assertTrue(removed.node("n4").isEmpty());
    refused(
        "node n1 is a meta voter; move the voter first or force",
        () -> {
          ClusterMap noReplicasOnN1 = map;
          for (int p : map.partitionsOf("n1")) {
            List<String> set = new java.util.ArrayList<>(map.partition(p).replicas());
            set.remove("n1");
            noReplicasOnN1 = noReplicasOnN1.withReplicas(p, set);
          }
          noReplicasOnN1.withNodeRemoved("n1", false);
        });
    refused("no node n9 in the map", () -> map.withNodeRemoved("n9", true));
  }

  @Test
  void nodeRemoved_forcedLeavesShortSetsAndDropsTheVoter() {
    ClusterMap next = map.withNodeRemoved("n1", true);
    assertTrue(next.node("n1").isEmpty());
    assertTrue(next.partitionsOf("n1").isEmpty());
    assertEquals(List.of("n2", "n3"), next.metaVoters());
    for (int p : map.partitionsOf("n1")) {
      List<String> expected = new java.util.ArrayList<>(map.partition(p).replicas());
      expected.remove("n1");
      assertEquals(expected, next.partition(p).replicas());
    }
  }

  @Test
  void nodeRemoved_forcedNeverLeavesAPartitionOrTheMetaGroupEmpty() {
    ClusterMap one = ClusterMap.bootstrap(nodes(3), 4, 1);
    int p = one.partitionsOf("n2").get(0);
    refused(
        "removing n2 would leave partition " + p + " with no replica",
        () -> one.withNodeRemoved("n2", true));
    ClusterMap lonelyVoter = map.withMetaVoters(List.of("n4"));
    refused(
        "removing n4 would leave the meta group with no voter",
        () -> lonelyVoter.withNodeRemoved("n4", true));
  }

  @Test
  void weight_changesOnlyTheWeight() {
    ClusterMap next = map.withWeight("n2", 3);
    assertEquals(3, next.node("n2").orElseThrow().weight());
    assertEquals(map.epoch() + 1, next.epoch());
    refused("weight of node n2 must be at least 1; got 0", () -> map.withWeight("n2", 0));
    refused("no node n0 in the map", () -> map.withWeight("n0", 2));
  }

  @Test
  void replicas_replacesOneSetAndChecksIt() {
    ClusterMap next = map.withReplicas(3, List.of("n4", "n3", "n2", "n1"));
    assertEquals(List.of("n4", "n3", "n2", "n1"), next.partition(3).replicas());
    assertEquals(map.partition(2), next.partition(2));
    refused("no partition 16; the map has 16", () -> map.withReplicas(16, List.of("n1")));
    refused("partition 3 replicas must not be empty", () -> map.withReplicas(3, List.of()));
    refused(
        "partition 3 replicas name n1 twice", () -> map.withReplicas(3, List.of("n1", "n2", "n1")));
    refused("no node n8 in the map", () -> map.withReplicas(3, List.of("n1", "n8")));
    ClusterMap five = map.withNodeAdded(node("n5", 5, "z5", 1));
    refused(
        "partition 3 replicas: 5 nodes, at most 4 allowed",
        () -> five.withReplicas(3, List.of("n1", "n2", "n3", "n4", "n5")));
  }

  @Test
  void metaVoters_replacesTheVoters() {
    ClusterMap next = map.withMetaVoters(List.of("n1", "n2", "n3", "n4"));
    assertEquals(List.of("n1", "n2", "n3", "n4"), next.metaVoters());
    assertEquals(map.epoch() + 1, next.epoch());
    refused("meta voters must not be empty", () -> map.withMetaVoters(List.of()));
    refused("meta voters name n2 twice", () -> map.withMetaVoters(List.of("n2", "n2")));
    refused("no node n6 in the map", () -> map.withMetaVoters(List.of("n1", "n6")));
    ClusterMap draining = map.withDecommissioning("n4");
    refused(
        "new meta voter n4 is not ACTIVE",
        () -> draining.withMetaVoters(List.of("n1", "n2", "n3", "n4")));
    ClusterMap votersDraining = map.withDecommissioning("n1");
    assertEquals(
        List.of("n1", "n2"),
        votersDraining.withMetaVoters(List.of("n1", "n2")).metaVoters(),
        "a draining voter may stay");
  }

  @Test
  void move_isRecordedOnlyOverTheSetItStartedFrom() {
    ClusterMap grown = map.withNodeAdded(node("n5", 5, "z5", 1));
    Move move = MovePlan.of(grown).moves().get(0);
    ClusterMap moved = grown.withMove(move);
    assertEquals(move.replicasAfter(), moved.partition(move.partition()).replicas());
    assertEquals(grown.epoch() + 1, moved.epoch());
    refused(
        "move "
            + move
            + " starts from "
            + move.replicasBefore()
            + " but partition "
            + move.partition()
            + " is "
            + move.replicasAfter(),
        () -> moved.withMove(move));
    Move elsewhere =
        new Move(
            16,
            0,
            1,
            java.util.Optional.of("n5"),
            java.util.Optional.empty(),
            List.of("n1"),
            List.of("n1", "n5"));
    refused("no partition 16; the map has 16", () -> grown.withMove(elsewhere));
  }

  @Test
  void nodeAdded_refusesABlankIdOrZone() {
    refused(
        "a new node needs a non-blank id and zone", () -> map.withNodeAdded(node(" ", 9, "z9", 1)));
    refused(
        "a new node needs a non-blank id and zone", () -> map.withNodeAdded(node("n9", 9, "", 1)));
  }
}
