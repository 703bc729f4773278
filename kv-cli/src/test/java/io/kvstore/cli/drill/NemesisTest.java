package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NemesisTest {
  private static final Nemesis.Params PARAMS = Nemesis.Params.defaults(60_000, 3, 1000);

  @Test
  void sameSeedSameSchedule() {
    assertEquals(Nemesis.plan(42, PARAMS), Nemesis.plan(42, PARAMS));
    assertNotEquals(Nemesis.plan(42, PARAMS), Nemesis.plan(43, PARAMS));
  }

  @Test
  void scheduleAlternatesQuietAndFaultWindowsWithinBounds() {
    for (long seed = 0; seed < 200; seed++) {
      List<Nemesis.PlannedFault> plan = Nemesis.plan(seed, PARAMS);
      assertFalse(plan.isEmpty(), "seed " + seed);
      long quietUntil = 0;
      for (Nemesis.PlannedFault f : plan) {
        assertTrue(f.startMs() - quietUntil >= PARAMS.quietMinMs(), "quiet window before " + f);
        assertTrue(f.node() >= 0 && f.node() < 3, f.toString());
        if (f.kind() == Nemesis.Kind.PAUSE) {
          assertTrue(f.lengthMs() >= 1000 && f.lengthMs() <= 10_000, f.toString());
        } else {
          assertTrue(f.lengthMs() >= 500 && f.lengthMs() <= 3_000, f.toString());
        }
        quietUntil = f.startMs() + f.lengthMs();
      }
      assertTrue(quietUntil <= 60_000 - PARAMS.finalQuietMs(), "final quiet period");
    }
  }

  @Test
  void bothKindsOccur() {
    long kills = 0;
    long pauses = 0;
    for (long seed = 0; seed < 50; seed++) {
      for (Nemesis.PlannedFault f : Nemesis.plan(seed, PARAMS)) {
        if (f.kind() == Nemesis.Kind.KILL) {
          kills++;
        } else {
          pauses++;
        }
      }
    }
    assertTrue(kills > 0 && pauses > 0);
  }

  @Test
  void everyKindIsPlannedDeterministicallyWithinBounds() {
    Nemesis.Params p =
        Nemesis.Params.defaults(120_000, 5, 1000).withKinds(Nemesis.parseKinds("all"));
    assertEquals(Nemesis.plan(7, p), Nemesis.plan(7, p));
    java.util.Set<Nemesis.Kind> seen = java.util.EnumSet.noneOf(Nemesis.Kind.class);
    for (long seed = 0; seed < 100; seed++) {
      long quietUntil = 0;
      for (Nemesis.PlannedFault f : Nemesis.plan(seed, p)) {
        seen.add(f.kind());
        assertTrue(f.startMs() - quietUntil >= p.quietMinMs(), f.toString());
        if (f.kind().network() || f.kind() == Nemesis.Kind.TRANSFER) {
          assertTrue(f.lengthMs() >= 3_000 && f.lengthMs() <= 10_000, f.toString());
        }
        if (f.kind() == Nemesis.Kind.ISOLATE_LEADER) {
          assertTrue(f.node() >= 0 && f.node() < p.partitions(), f.toString());
        }
        assertEquals(5, new java.util.HashSet<>(f.order()).size(), f.toString());
        quietUntil = f.startMs() + f.lengthMs();
      }
      assertTrue(quietUntil <= 120_000 - p.finalQuietMs());
    }
    assertEquals(java.util.EnumSet.allOf(Nemesis.Kind.class), seen);
  }

  @Test
  void ringNeedsFourNodesAndUnknownKindsAreRefused() {
    Nemesis.Params three =
        Nemesis.Params.defaults(60_000, 3, 1000).withKinds(Nemesis.parseKinds("all"));
    assertFalse(three.kinds().contains(Nemesis.Kind.RING));
    assertTrue(three.kinds().contains(Nemesis.Kind.BRIDGE));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Nemesis.parseKinds("kill,flood"));
    assertTrue(e.getMessage().contains("unknown fault kind 'flood'"), e.getMessage());
    assertEquals(
        java.util.EnumSet.of(Nemesis.Kind.ISOLATE_LEADER, Nemesis.Kind.KILL),
        Nemesis.parseKinds("isolate-leader, kill"));
  }

  @Test
  void majoritiesRingLeavesEveryNodeItsTwoNeighbours() {
    List<Integer> order = List.of(3, 0, 4, 1, 2);
    List<List<Integer>> sides = Nemesis.sides(Nemesis.Kind.RING, 0, order, 5);
    List<int[]> links = Nemesis.links(Nemesis.Kind.RING, sides, order, 5);
    assertEquals(10, links.size()); // 5 nodes x 2 non-neighbours, both directions counted once each
    for (int node = 0; node < 5; node++) {
      int n = node;
      long cutTo = links.stream().filter(l -> l[0] == n).count();
      assertEquals(2, cutTo, "node " + node);
      int k = order.indexOf(node);
      int left = order.get((k + 4) % 5);
      int right = order.get((k + 1) % 5);
      assertTrue(links.stream().noneMatch(l -> l[0] == n && (l[1] == left || l[1] == right)));
    }
    for (int[] l : links) {
      assertTrue(links.stream().anyMatch(m -> m[0] == l[1] && m[1] == l[0]), "symmetric");
    }
  }

  @Test
  void bridgeCutsOnlyBetweenTheSides() {
    List<Integer> order = List.of(2, 0, 1, 3, 4);
    List<List<Integer>> sides = Nemesis.sides(Nemesis.Kind.BRIDGE, 0, order, 5);
    assertEquals(List.of(List.of(0, 1), List.of(2), List.of(3, 4)), sides);
    List<int[]> links = Nemesis.links(Nemesis.Kind.BRIDGE, sides, order, 5);
    assertEquals(8, links.size());
    assertTrue(links.stream().noneMatch(l -> l[0] == 2 || l[1] == 2), "the bridge talks to all");
  }

  @Test
  void majoritySplitAndIsolation() {
    List<Integer> order = List.of(4, 1, 0, 2, 3);
    List<List<Integer>> split = Nemesis.sides(Nemesis.Kind.MAJORITY, 0, order, 5);
    assertEquals(List.of(List.of(4, 1), List.of(0, 2, 3)), split);
    assertEquals(12, Nemesis.links(Nemesis.Kind.MAJORITY, split, order, 5).size());
    List<List<Integer>> iso = Nemesis.sides(Nemesis.Kind.ISOLATE, 2, order, 5);
    assertEquals(List.of(List.of(2), List.of(4, 1, 0, 3)), iso);
    assertEquals(8, Nemesis.links(Nemesis.Kind.ISOLATE, iso, order, 5).size());
  }

  @Test
  void staleReadControlIsolatesALeaderForEightSecondsAtATime() {
    List<Nemesis.PlannedFault> plan = Nemesis.staleReadControl(30_000, 3, 3_000);
    assertEquals(2, plan.size());
    for (Nemesis.PlannedFault f : plan) {
      assertEquals(Nemesis.Kind.ISOLATE_LEADER, f.kind());
      assertEquals(8_000, f.lengthMs());
      assertTrue(f.startMs() + f.lengthMs() <= 27_000);
    }
  }
}
