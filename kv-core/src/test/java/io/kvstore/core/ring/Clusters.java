package io.kvstore.core.ring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random clusters for the ring's property tests. Every case is drawn from a fixed seed, so each run
 * checks the same cases and a failure names the seed that reproduces it; node ids are random so the
 * cases do not share token layouts.
 */
final class Clusters {
  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-.{}#";

  private Clusters() {}

  /** A random node id, 1 to 16 characters (braces and '#' included: tokens must not care). */
  static String randomId(Random random) {
    StringBuilder id = new StringBuilder();
    int length = 1 + random.nextInt(16);
    for (int i = 0; i < length; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  /** {@code count} distinct random ids. */
  static List<String> randomIds(Random random, int count) {
    Set<String> seen = new HashSet<>();
    List<String> ids = new ArrayList<>();
    while (ids.size() < count) {
      String id = randomId(random);
      if (seen.add(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Weight-1 nodes with random ids, dealt round-robin over {@code zones} zones. */
  static List<NodeSpec> equalWeights(Random random, int nodes, int zones) {
    List<NodeSpec> out = new ArrayList<>();
    List<String> ids = randomIds(random, nodes);
    for (int i = 0; i < nodes; i++) {
      out.add(new NodeSpec(ids.get(i), "zone-" + (i % zones), 1));
    }
    return out;
  }

  /** A cluster of any shape: 1 to 12 nodes, weights 1 to 3, zones of any sizes. */
  static List<NodeSpec> anyShape(Random random) {
    int count = 1 + random.nextInt(12);
    int zones = 1 + random.nextInt(count);
    List<NodeSpec> out = new ArrayList<>();
    for (String id : randomIds(random, count)) {
      out.add(new NodeSpec(id, "zone-" + random.nextInt(zones), 1 + random.nextInt(3)));
    }
    return out;
  }

  /** Replica slots that changed: |new set minus old set| summed over partitions. */
  static int movedReplicas(Placement before, Placement after) {
    int moved = 0;
    for (int p = 0; p < before.scheme().partitionCount(); p++) {
      Set<String> added = new HashSet<>(after.replicas(p));
      added.removeAll(before.replicas(p));
      moved += added.size();
    }
    return moved;
  }
}
