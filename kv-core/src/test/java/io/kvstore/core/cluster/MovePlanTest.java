package io.kvstore.core.cluster;

import static io.kvstore.core.cluster.Maps.node;
import static io.kvstore.core.cluster.Maps.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MovePlanTest {
  private static final int N = 3;

  static LongStream seeds() {
    return LongStream.range(0, 24);
  }

  /**
   * Every move of the plan, checked as it runs: it starts from the set the previous step of its
   * partition left, holds distinct members, at most N + 1 while running and at most N after; and
   * recording all of them (and the leader changes) gives the target exactly, which then plans
   * nothing more.
   */
  private static ClusterMap checkAndApply(ClusterMap map) {
    MovePlan plan = MovePlan.of(map);
    assertEquals(map.epoch(), plan.epoch());
    for (int p = 0; p < map.partitionCount(); p++) {
      List<Move> steps = plan.movesOf(p);
      List<String> set = map.partition(p).replicas();
      for (int i = 0; i < steps.size(); i++) {
        Move m = steps.get(i);
        assertEquals(p, m.partition());
        assertEquals(i, m.step());
        assertEquals(steps.size(), m.steps());
        assertEquals(set, m.replicasBefore(), m.toString());
        assertDistinct(m.replicasDuring(), m);
        assertDistinct(m.replicasAfter(), m);
        assertTrue(m.replicasDuring().size() <= N + 1, m.toString());
        assertTrue(m.replicasAfter().size() <= N, m.toString());
        m.add().ifPresent(a -> assertFalse(m.replicasBefore().contains(a), m.toString()));
        m.remove().ifPresent(r -> assertTrue(m.replicasBefore().contains(r), m.toString()));
        m.remove().ifPresent(r -> assertFalse(m.replicasAfter().contains(r), m.toString()));
        set = m.replicasAfter();
      }
    }
    ClusterMap done = Maps.applyAll(map, plan);
    assertEquals(plan.target().partitions(), done.partitions(), "all moves reach the target");
    assertTrue(MovePlan.of(done).isDone(), "and nothing is left to do");
    return done;
  }

  private static void assertDistinct(List<String> set, Move m) {
    assertEquals(set.size(), new HashSet<>(set).size(), m.toString());
  }

  private static ClusterMap bootstrap(int nodes, int partitions) {
    return ClusterMap.bootstrap(nodes(nodes), partitions, N);
  }

  @Test
  void aFreshMapNeedsNothing() {
    MovePlan plan = MovePlan.of(bootstrap(5, 64));
    assertTrue(plan.isDone());
    assertTrue(plan.nextBatch(List.of(), MoveLimits.of(4, 1)).isEmpty());
  }

  @Test
  void grow3to4to5_eachJoinOnlySwapsInTheNewNode() {
    ClusterMap map = bootstrap(3, 64);
    for (int n = 4; n <= 5; n++) {
      String id = "n" + n;
      map = map.withNodeAdded(node(id, n, "z" + n, 1));
      MovePlan plan = MovePlan.of(map);
      assertFalse(plan.moves().isEmpty());
      for (Move m : plan.moves()) {
        assertEquals(Optional.of(id), m.add(), m.toString());
        assertTrue(m.remove().isPresent(), m.toString());
        assertEquals(1, m.steps(), "a join replaces one member of a set: " + m);
      }
      map = checkAndApply(map);
      assertEquals(plan.moves().size(), map.partitionsOf(id).size());
    }
  }

  @Test
  void grow3to5_atOnce_reachesTheSameSetsAsOneByOne() {
    ClusterMap both =
        bootstrap(3, 128)
            .withNodeAdded(node("n4", 4, "z4", 1))
            .withNodeAdded(node("n5", 5, "z5", 1));
    ClusterMap done = checkAndApply(both);
    assertEquals(
        Maps.memberSets(bootstrap(5, 128).partitions()), Maps.memberSets(done.partitions()));
    boolean twoSteps = MovePlan.of(both).moves().stream().anyMatch(m -> m.steps() == 2);
    assertTrue(twoSteps, "some partition takes both new nodes, in two ordered steps");
  }

  @Test
  void shrink5to3_byDecommission_drainsOnlyTheLeavingNodes() {
    ClusterMap map = bootstrap(5, 64).withDecommissioning("n4").withDecommissioning("n5");
    MovePlan plan = MovePlan.of(map);
    for (Move m : plan.moves()) {
      assertTrue(Set.of("n4", "n5").contains(m.remove().orElseThrow()), m.toString());
      assertTrue(Set.of("n1", "n2", "n3").contains(m.add().orElseThrow()), m.toString());
    }
    ClusterMap done = checkAndApply(map);
    assertTrue(done.partitionsOf("n4").isEmpty());
    assertTrue(done.partitionsOf("n5").isEmpty());
    // Drained; once the meta voters have moved off them, they can leave the map.
    while (true) {
      Optional<MetaVoters.Change> change = MetaVoters.nextChange(done);
      if (change.isEmpty()) {
        break;
      }
      done = done.withMetaVoters(change.get().votersAfter());
    }
    ClusterMap three = done.withNodeRemoved("n4", false).withNodeRemoved("n5", false);
    assertEquals(Set.of("n1", "n2", "n3"), Set.copyOf(three.metaVoters()));
    assertTrue(MovePlan.of(three).isDone());
  }

  @Test
  void weightIncrease_movesReplicasOnlyToThatNode() {
    ClusterMap map = bootstrap(6, 256).withWeight("n2", 2);
    MovePlan plan = MovePlan.of(map);
    assertFalse(plan.moves().isEmpty());
    for (Move m : plan.moves()) {
      assertEquals(Optional.of("n2"), m.add(), m.toString());
    }
    checkAndApply(map);
    ClusterMap lighter = checkAndApply(map).withWeight("n2", 1);
    for (Move m : MovePlan.of(lighter).moves()) {
      assertEquals(Optional.of("n2"), m.remove(), m.toString());
    }
    assertEquals(
        Maps.memberSets(bootstrap(6, 256).partitions()),
        Maps.memberSets(checkAndApply(lighter).partitions()));
  }

  @Test
  void forcedRemoval_refillsShortSetsWithAddOnlyMoves() {
    ClusterMap map = bootstrap(5, 64);
    List<Integer> held = map.partitionsOf("n3");
    ClusterMap dead = map.withNodeRemoved("n3", true);
    MovePlan plan = MovePlan.of(dead);
    List<Integer> refilled = new ArrayList<>();
    for (Move m : plan.moves()) {
      if (m.remove().isEmpty()) {
        refilled.add(m.partition());
        assertEquals(0, m.step(), "refills run first: " + m);
      }
    }
    assertEquals(held, refilled);
    // Refills are chosen before any other move, and never wait on per-node bounds of others.
    List<Move> batch = plan.nextBatch(List.of(), MoveLimits.of(4, 4));
    assertEquals(4, batch.size());
    for (Move m : batch) {
      assertTrue(m.remove().isEmpty(), m.toString());
    }
    ClusterMap done = checkAndApply(dead);
    for (PartitionEntry e : done.partitions()) {
      assertEquals(N, e.replicas().size());
    }
  }

  @Test
  void nextBatch_respectsTheBoundsAndSpreadsOverNodes() {
    ClusterMap map =
        bootstrap(4, 256)
            .withNodeAdded(node("n5", 5, "z5", 1))
            .withNodeAdded(node("n6", 6, "z6", 1));
    MovePlan plan = MovePlan.of(map);
    List<Move> batch = plan.nextBatch(List.of(), new MoveLimits(8, 3, 2));
    assertEquals(6, batch.size(), "two new nodes, 3 incoming each: " + batch);
    Map<String, Integer> in = new HashMap<>();
    Map<String, Integer> out = new HashMap<>();
    for (Move m : batch) {
      in.merge(m.add().orElseThrow(), 1, Integer::sum);
      out.merge(m.remove().orElseThrow(), 1, Integer::sum);
    }
    assertEquals(Map.of("n5", 3, "n6", 3), in);
    assertTrue(out.values().stream().allMatch(c -> c <= 2), out.toString());
    assertTrue(out.size() >= 3, "sources spread over the old nodes: " + out);
    assertEquals(batch.size(), batch.stream().map(Move::partition).distinct().count());

    // With those in flight, their partitions wait and the bounds count them.
    List<Move> more = plan.nextBatch(batch.subList(0, 5), new MoveLimits(8, 3, 2));
    assertEquals(1, more.size(), more.toString());
    assertFalse(
        batch.subList(0, 5).stream().anyMatch(m -> m.partition() == more.get(0).partition()));
    assertTrue(plan.nextBatch(batch, new MoveLimits(8, 3, 2)).isEmpty());
    assertTrue(plan.nextBatch(batch, new MoveLimits(6, 9, 9)).isEmpty());
  }

  @Test
  void nextBatch_startsOnlyThePartitionsFirstStep() {
    ClusterMap map =
        bootstrap(3, 64)
            .withNodeAdded(node("n4", 4, "z4", 1))
            .withNodeAdded(node("n5", 5, "z5", 1));
    for (Move m : MovePlan.of(map).nextBatch(List.of(), MoveLimits.of(64, 64))) {
      assertEquals(0, m.step(), m.toString());
    }
  }

  /**
   * A controller's loop over random membership changes: start what {@code nextBatch} allows, finish
   * one move in flight at random, record it, re-plan; until the plan is done. Checks the bounds at
   * every step and the end state.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void controllerLoop_convergesWithinTheBounds(long seed) {
    Random random = new Random(seed);
    List<NodeEntry> cluster = Maps.randomNodes(random, 3 + random.nextInt(4), 1);
    ClusterMap map = ClusterMap.bootstrap(cluster, 16 << random.nextInt(3), N);
    switch (random.nextInt(4)) {
      case 0 -> {
        for (NodeEntry n : Maps.randomNodes(random, 1 + random.nextInt(2), 40)) {
          map = map.withNodeAdded(n);
        }
      }
      case 1 -> map = map.withWeight(cluster.get(random.nextInt(cluster.size())).id(), 2);
      case 2 -> {
        map = map.withNodeAdded(Maps.randomNodes(random, 1, 40).get(0));
        map = map.withDecommissioning(cluster.get(0).id());
      }
      default -> map = map.withNodeRemoved(cluster.get(random.nextInt(cluster.size())).id(), true);
    }
    List<Set<String>> targetSets = Maps.memberSets(TargetPlacement.of(map).partitions());
    MoveLimits limits = new MoveLimits(1 + random.nextInt(6), 1 + random.nextInt(2), 1);
    int planned = MovePlan.of(map).moves().size();
    List<Move> inFlight = new ArrayList<>();
    int done = 0;
    for (int round = 0; ; round++) {
      if (round > 4 * planned + 10) {
        fail("no convergence after " + round + " rounds: " + MovePlan.of(map));
      }
      MovePlan plan = MovePlan.of(map);
      for (PartitionEntry e : plan.leaderChanges()) {
        map = map.withReplicas(e.id(), e.replicas());
      }
      inFlight.addAll(plan.nextBatch(inFlight, limits));
      checkBounds(inFlight, limits);
      if (inFlight.isEmpty()) {
        assertTrue(plan.moves().isEmpty(), "moves left but none started: " + plan);
        if (MovePlan.of(map).isDone()) {
          break;
        }
        continue;
      }
      Move finished = inFlight.remove(random.nextInt(inFlight.size()));
      assertTrue(finished.replicasDuring().size() <= N + 1);
      map = Maps.apply(map, finished);
      done++;
    }
    assertEquals(targetSets, Maps.memberSets(map.partitions()));
    assertEquals(planned, done, "the first plan's moves were all that was needed");
  }

  private static void checkBounds(List<Move> inFlight, MoveLimits limits) {
    assertTrue(inFlight.size() <= limits.maxMoves(), inFlight.toString());
    Map<String, Integer> in = new HashMap<>();
    Map<String, Integer> out = new HashMap<>();
    Set<Integer> partitions = new HashSet<>();
    for (Move m : inFlight) {
      assertTrue(partitions.add(m.partition()), "two moves of one partition: " + inFlight);
      m.add().ifPresent(a -> in.merge(a, 1, Integer::sum));
      m.remove().ifPresent(r -> out.merge(r, 1, Integer::sum));
    }
    in.values().forEach(c -> assertTrue(c <= limits.maxIncomingPerNode(), in.toString()));
    out.values().forEach(c -> assertTrue(c <= limits.maxOutgoingPerNode(), out.toString()));
  }
}
