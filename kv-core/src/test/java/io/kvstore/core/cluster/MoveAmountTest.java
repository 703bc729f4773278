package io.kvstore.core.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How much data a membership change moves, against the ideal: a joining weight share {@code s}
 * should receive {@code N x P x s} replica slots and nothing else should move. Prints a table (for
 * docs/architecture.md) and bounds the worst case over random node ids.
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
            "%-6s %-5s %8s %9s %7s %7s %7s%n",
            "nodes",
            "P",
            "ideal",
            "mean",
            "mean/i",
            "min/i",
            "max/i"));
    List<String> failures = new ArrayList<>();
    for (int[] join : joins) {
      for (int partitions : new int[] {64, 256, 1024}) {
        Random random = new Random(31L * join[0] + 7L * join[1] + partitions);
        double ideal = (double) N * partitions * (join[1] - join[0]) / join[1];
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int c = 0; c < CLUSTERS; c++) {
          List<NodeEntry> all = Maps.randomNodes(random, join[1], 1);
          ClusterMap map = ClusterMap.bootstrap(all.subList(0, join[0]), partitions, N);
          for (NodeEntry joining : all.subList(join[0], join[1])) {
            map = map.withNodeAdded(joining);
          }
          int moved = MovePlan.of(map).replicasAdded();
          sum += moved;
          min = Math.min(min, moved / ideal);
          max = Math.max(max, moved / ideal);
        }
        double mean = sum / CLUSTERS;
        table.append(
            String.format(
                Locale.ROOT,
                "%d->%d   %-5d %8.1f %9.1f %7.2f %7.2f %7.2f%n",
                join[0],
                join[1],
                partitions,
                ideal,
                mean,
                mean / ideal,
                min,
                max));
        if (partitions >= 256 && max > 1.5) {
          failures.add(join[0] + "->" + join[1] + " P=" + partitions + ": " + max + "x ideal");
        }
      }
    }
    System.out.println(
        "Replica slots moved per join, " + CLUSTERS + " random clusters each (ratio to ideal):");
    System.out.print(table);
    assertTrue(failures.isEmpty(), "more than 1.5x the ideal: " + failures + "\n" + table);
  }
}
