package io.kvstore.core.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Statistical properties of placement with the default {@code V}, N = 3. Each case is a random
 * cluster drawn from a fixed seed (see {@link Clusters}); the bounds hold with margin over many
 * more seeds than run here (figures in {@link Placement}'s class comment and docs/architecture.md).
 *
 * <p>Expected replicas per node {@code mu = P x N / nodes} decides how tight balance can be: each
 * partition lands on a node or not, so even a perfect ring leaves a spread of about {@code
 * sqrt(mu)}. The +-25% bounds are therefore checked where {@code mu >= 128}; below that, the spread
 * is checked against that granularity instead.
 */
class PlacementBalanceTest {
  private static final int N = Placement.DEFAULT_REPLICAS;
  private static final int[] PARTITION_COUNTS = {64, 128, 256, 512, 1024, 2048, 4096};

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  /** A zone count for {@code nodes} equal-weight nodes: one zone per node, or an even split. */
  private static int evenZones(Random random, int nodes) {
    int[] choices = IntStream.rangeClosed(1, nodes).filter(z -> nodes % z == 0).toArray();
    return random.nextBoolean() ? nodes : choices[random.nextInt(choices.length)];
  }

  /** A partition count giving each of {@code nodes} nodes at least {@code minPerNode} replicas. */
  private static int partitionsFor(Random random, int nodes, int minPerNode) {
    int[] ok = IntStream.of(PARTITION_COUNTS).filter(p -> p * N / nodes >= minPerNode).toArray();
    return ok[random.nextInt(ok.length)];
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void balance_everyNodeHoldsItsShareWithin25PercentOnceItExpects128Replicas(long seed) {
    Random random = new Random(seed);
    int nodes = 3 + random.nextInt(10);
    int zones = evenZones(random, nodes);
    int partitions = partitionsFor(random, nodes, 128);
    Placement placement =
        Placement.compute(
            Clusters.equalWeights(random, nodes, zones), PartitionScheme.of(partitions));
    double mu = (double) partitions * N / nodes;
    placement
        .replicaCountsByNode()
        .forEach(
            (id, count) ->
                assertTrue(
                    Math.abs(count - mu) <= 0.25 * mu,
                    () ->
                        count
                            + " replicas, expected "
                            + mu
                            + " +-25%; "
                            + nodes
                            + " nodes, "
                            + zones
                            + " zones, P="
                            + partitions));
  }

  // Measured worst over 15,000 nodes at P = 64..256: 3.2 sqrt(mu) (75% off mu at P = 64 with 12
  // nodes). More tokens cannot fix this; more partitions or an explicit balancer can.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void balance_withFewPartitionsTheSpreadStaysWithinFourSqrtMu(long seed) {
    Random random = new Random(seed);
    int nodes = 3 + random.nextInt(10);
    int zones = evenZones(random, nodes);
    int partitions = PARTITION_COUNTS[random.nextInt(3)];
    Placement placement =
        Placement.compute(
            Clusters.equalWeights(random, nodes, zones), PartitionScheme.of(partitions));
    double mu = (double) partitions * N / nodes;
    double bound = Math.max(0.25 * mu, 4 * Math.sqrt(mu));
    placement
        .replicaCountsByNode()
        .forEach(
            (id, count) ->
                assertTrue(
                    Math.abs(count - mu) <= bound,
                    () ->
                        count + " replicas, expected " + mu + " +-" + bound + "; P=" + partitions));
  }

  // A node holds at most one replica of a partition, so a heavy node's share is that of weighted
  // sampling without replacement, not weight / total weight: with 1 weight-2 node among 6 it is
  // 1.56x a light node's, among 12 1.81x, among 24 1.91x. Measured worst deviation from that
  // model over 1,000 clusters: 8.7%; the bound is 12%.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void weight_doubleWeightNodeHoldsItsWeightedSamplingShareWithin12Percent(long seed) {
    Random random = new Random(seed);
    int nodes = 6 + random.nextInt(11);
    int partitions = PARTITION_COUNTS[4 + random.nextInt(3)];
    List<NodeSpec> cluster = withOneHeavyNode(random, nodes);
    Placement placement = Placement.compute(cluster, PartitionScheme.of(partitions));
    double expected = partitions * inclusionProbability(cluster, 0, N);
    int heavy = placement.replicaCountsByNode().get(cluster.get(0).id());
    assertTrue(
        Math.abs(heavy - expected) <= 0.12 * expected,
        () -> heavy + " replicas, model " + expected + "; " + nodes + " nodes, P=" + partitions);
  }

  // "About twice": measured 1.67..2.02 over 1,000 clusters of 12 to 16 nodes (model 1.81..1.86).
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void weight_doubleWeightNodeHoldsAboutTwiceALightNodesShareAmongTwelveOrMoreNodes(long seed) {
    Random random = new Random(seed);
    int nodes = 12 + random.nextInt(5);
    List<NodeSpec> cluster = withOneHeavyNode(random, nodes);
    Map<String, Integer> counts =
        Placement.compute(cluster, PartitionScheme.of(4096)).replicaCountsByNode();
    int heavy = counts.get(cluster.get(0).id());
    double light =
        (counts.values().stream().mapToInt(Integer::intValue).sum() - heavy) / (double) (nodes - 1);
    double ratio = heavy / light;
    assertTrue(ratio >= 1.6 && ratio <= 2.1, () -> "ratio " + ratio + " with " + nodes + " nodes");
  }

  // The ideal is the new node's share, N x P / (n + 1) replicas; since a join swaps one member
  // of each set it enters (PlacementTest), what moves is exactly the new node's count. Measured
  // worst ratio 1.13 over 1,143 joins with P >= 512 (1.24 at P = 256, 1.63 at P = 64: partition
  // granularity again, as for balance).
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void movement_addingANodeMovesAtMost1point3TimesTheIdealShare(long seed) {
    Random random = new Random(seed);
    int partitions = PARTITION_COUNTS[3 + random.nextInt(4)];
    Join join = Join.random(random, partitions);
    double ideal = (double) N * partitions / (join.nodesBefore + 1);
    int moved = Clusters.movedReplicas(join.before, join.after);
    assertTrue(moved <= 1.3 * ideal, () -> moved + " replicas moved, ideal " + ideal + "; " + join);
  }

  /** n equal nodes (3..12, zones one per node or an even split) and the same plus one node. */
  private record Join(
      int partitions, int nodesBefore, int zones, Placement before, Placement after) {
    static Join random(Random random, int partitions) {
      int nodes = 3 + random.nextInt(10);
      int zones = evenZones(random, nodes);
      List<NodeSpec> cluster =
          Clusters.equalWeights(random, nodes + 1, zones == nodes ? nodes + 1 : zones);
      NodeSpec joining = cluster.remove(nodes);
      PartitionScheme scheme = PartitionScheme.of(partitions);
      Placement before = Placement.compute(cluster, scheme);
      cluster.add(joining);
      return new Join(partitions, nodes, zones, before, Placement.compute(cluster, scheme));
    }

    @Override
    public String toString() {
      return nodesBefore + " nodes in " + zones + " zones + 1, P=" + partitions;
    }
  }

  private static List<NodeSpec> withOneHeavyNode(Random random, int nodes) {
    List<NodeSpec> cluster = new ArrayList<>();
    List<String> ids = Clusters.randomIds(random, nodes);
    for (int i = 0; i < nodes; i++) {
      cluster.add(new NodeSpec(ids.get(i), "zone-" + i, i == 0 ? 2 : 1));
    }
    return cluster;
  }

  /** P(node {@code target} is among {@code draws} weighted draws without replacement). */
  private static double inclusionProbability(List<NodeSpec> cluster, int target, int draws) {
    return inclusion(cluster, target, draws, new boolean[cluster.size()]);
  }

  private static double inclusion(List<NodeSpec> cluster, int target, int draws, boolean[] drawn) {
    if (draws == 0) {
      return 0;
    }
    double total = 0;
    for (int i = 0; i < cluster.size(); i++) {
      total += drawn[i] ? 0 : cluster.get(i).weight();
    }
    double p = cluster.get(target).weight() / total; // drawn now
    for (int i = 0; i < cluster.size(); i++) {
      if (!drawn[i] && i != target) {
        drawn[i] = true;
        p += cluster.get(i).weight() / total * inclusion(cluster, target, draws - 1, drawn);
        drawn[i] = false;
      }
    }
    return p;
  }
}
