package io.kvstore.core.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How much data a membership change moves, against the ideal: a joining weight share {@code s}
 * should receive {@code N x P x s} replica slots and nothing else should move; and how many
 * preferred leaders change and how even they end. Prints a table (for docs/architecture.md) and
 * bounds the worst cases over random node ids generously (1.5x the ideal moves, 1.2x the fair
 * leader share, for P &ge; 256).
 */
class MoveAmountTest {
  private static final int N = 3;
  private static final int CLUSTERS = 20;

  @Test
  void slotsMovedOnAJoinStayNearTheIdeal() {
    int[][] joins = {{3, 4}, {3, 5}, {5, 6}};
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "%-6s %-5s %8s %9s %7s %7s %7s %8s %9s%n",
            "nodes",
            "P",
            "ideal",
            "mean",
            "mean/i",
            "min/i",
            "max/i",
            "leaders",
            "lead max"));
    List<String> failures = new ArrayList<>();
    for (int[] join : joins) {
      for (int partitions : new int[] {64, 256, 1024}) {
        Random random = new Random(31L * join[0] + 7L * join[1] + partitions);
        double ideal = (double) N * partitions * (join[1] - join[0]) / join[1];
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        double leaderChanges = 0;
        double worstLeads = 0;
        for (int c = 0; c < CLUSTERS; c++) {
          List<NodeEntry> all = Maps.randomNodes(random, join[1], 1);
          ClusterMap map = ClusterMap.bootstrap(all.subList(0, join[0]), partitions, N);
          for (NodeEntry joining : all.subList(join[0], join[1])) {
            map = map.withNodeAdded(joining);
          }
          MovePlan plan = MovePlan.of(map);
          int moved = plan.replicasAdded();
          Map<String, Integer> leads = new HashMap<>();
          for (PartitionEntry e : plan.target().partitions()) {
            leads.merge(e.preferredLeader(), 1, Integer::sum);
          }
          int most = leads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
          worstLeads = Math.max(worstLeads, most / ((double) partitions / join[1]));
          for (int p = 0; p < partitions; p++) {
            if (!plan.target().replicas(p).get(0).equals(map.partition(p).preferredLeader())) {
              leaderChanges++;
            }
          }
          sum += moved;
          min = Math.min(min, moved / ideal);
          max = Math.max(max, moved / ideal);
        }
        double mean = sum / CLUSTERS;
        table.append(
            String.format(
                Locale.ROOT,
                "%d->%d   %-5d %8.1f %9.1f %7.2f %7.2f %7.2f %7.0f%% %9.2f%n",
                join[0],
                join[1],
                partitions,
                ideal,
                mean,
                mean / ideal,
                min,
                max,
                100 * leaderChanges / CLUSTERS / partitions,
                worstLeads));
        if (partitions >= 256 && max > 1.5) {
          failures.add(join[0] + "->" + join[1] + " P=" + partitions + ": " + max + "x ideal");
        }
        if (partitions >= 256 && worstLeads > 1.2) {
          failures.add(
              join[0] + "->" + join[1] + " P=" + partitions + ": leaders " + worstLeads + "x fair");
        }
      }
    }
    System.out.println(
        "Replica slots moved per join, "
            + CLUSTERS
            + " random clusters each (ratio to ideal N x P x joining share;"
            + " leaders: partitions whose preferred leader changes; lead max: worst busiest"
            + " node's preferred leaderships / (P / nodes)):");
    System.out.print(table);
    assertTrue(failures.isEmpty(), "more than 1.5x the ideal: " + failures + "\n" + table);
  }
}
