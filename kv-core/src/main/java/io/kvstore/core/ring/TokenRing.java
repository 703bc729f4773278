package io.kvstore.core.ring;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The placement ring: every node's virtual-node tokens, sorted, and the zone-aware clockwise walk
 * that turns a point into a replica set.
 *
 * <p>Node {@code id} with weight {@code w} owns tokens {@code xxh64(utf8(id + "#" + i))} for {@code
 * 0 <= i < w * V}. Hash tags do not apply to tokens: an id containing braces must not collapse all
 * its tokens onto one point. Tokens are ordered as unsigned longs; equal tokens (a 64-bit
 * collision, in practice never) are ordered by node id, then token number, so the order never
 * depends on input order or on hash-map iteration.
 */
final class TokenRing {
  // A guard against configurations that would allocate absurd arrays (weight * V per node).
  static final long MAX_TOKENS = 1L << 22;

  private final List<NodeSpec> nodes; // sorted by id; indexes below refer to this list
  private final int[] zoneOfNode;
  private final int zoneCount;
  private final long[] tokens; // ascending as unsigned
  private final int[] ownerOfToken;

  /** {@code nodes} must be sorted by id and free of duplicates. */
  TokenRing(List<NodeSpec> nodes, int vnodesPerWeight) {
    this.nodes = List.copyOf(nodes);
    TreeMap<String, Integer> zones = new TreeMap<>();
    this.zoneOfNode = new int[nodes.size()];
    long total = 0;
    for (int n = 0; n < nodes.size(); n++) {
      NodeSpec node = nodes.get(n);
      zoneOfNode[n] = zones.computeIfAbsent(node.zone(), z -> zones.size());
      total += (long) node.weight() * vnodesPerWeight;
    }
    if (total > MAX_TOKENS) {
      throw new IllegalArgumentException(
          "total weight x virtual nodes is "
              + total
              + " tokens; at most "
              + MAX_TOKENS
              + " allowed");
    }
    this.zoneCount = zones.size();

    int count = (int) total;
    long[] rawTokens = new long[count];
    int[] rawOwners = new int[count];
    int[] rawNumbers = new int[count];
    int t = 0;
    for (int n = 0; n < nodes.size(); n++) {
      NodeSpec node = nodes.get(n);
      int own = node.weight() * vnodesPerWeight;
      for (int i = 0; i < own; i++) {
        rawTokens[t] = KeyHasher.xxh64((node.id() + "#" + i).getBytes(StandardCharsets.UTF_8));
        rawOwners[t] = n;
        rawNumbers[t] = i;
        t++;
      }
    }
    // Node indexes follow id order, so (token, owner index, token number) is the documented order.
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Long.compareUnsigned(rawTokens[a], rawTokens[b]);
          if (c == 0) {
            c = Integer.compare(rawOwners[a], rawOwners[b]);
          }
          return c != 0 ? c : Integer.compare(rawNumbers[a], rawNumbers[b]);
        });
    this.tokens = new long[count];
    this.ownerOfToken = new int[count];
    for (int i = 0; i < count; i++) {
      tokens[i] = rawTokens[order[i]];
      ownerOfToken[i] = rawOwners[order[i]];
    }
  }

  int nodeCount() {
    return nodes.size();
  }

  int zoneCount() {
    return zoneCount;
  }

  NodeSpec node(int index) {
    return nodes.get(index);
  }

  /**
   * The first {@code replicas} distinct nodes clockwise from {@code point} (tokens at or after it),
   * as node indexes in the order chosen. First pass: a node is taken only if its zone holds no
   * replica yet, until every zone holds one or the set is full. Second pass, from the same point:
   * any node not yet taken, in ring order. So a set spans min(replicas, zones) zones, and its first
   * node is always the owner of the first token after the point (the preferred leader).
   */
  int[] replicasFrom(long point, int replicas) {
    int start = firstTokenAtOrAfter(point);
    int[] chosen = new int[replicas];
    boolean[] taken = new boolean[nodes.size()];
    boolean[] zoneUsed = new boolean[zoneCount];
    int size = 0;
    int zonesUsed = 0;
    for (int k = 0; k < tokens.length && size < replicas && zonesUsed < zoneCount; k++) {
      int owner = ownerOfToken[(start + k) % tokens.length];
      int zone = zoneOfNode[owner];
      if (!taken[owner] && !zoneUsed[zone]) {
        taken[owner] = true;
        zoneUsed[zone] = true;
        zonesUsed++;
        chosen[size++] = owner;
      }
    }
    // Every node owns at least one token, so this pass always fills the set (replicas <= nodes).
    for (int k = 0; k < tokens.length && size < replicas; k++) {
      int owner = ownerOfToken[(start + k) % tokens.length];
      if (!taken[owner]) {
        taken[owner] = true;
        chosen[size++] = owner;
      }
    }
    return chosen;
  }

  /** Index of the first token >= point as unsigned, wrapping to 0 past the last token. */
  private int firstTokenAtOrAfter(long point) {
    int lo = 0;
    int hi = tokens.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(tokens[mid], point) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == tokens.length ? 0 : lo;
  }
}
