package io.kvstore.client;

import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routes keys with a cached cluster map: key → partition (the ring's hash) → the partition's
 * leader, as last learned from the servers, else its preferred leader; on failure the next replica.
 * Thread-safe; the map is replaced whole when a newer epoch is seen.
 */
final class PartitionRouter {
  static final String KEY_HASH = "xxh64-seed0-hashtag";

  private final long epoch;
  private final PartitionScheme scheme;
  private final List<List<String>> replicaEndpoints = new ArrayList<>();
  private final Map<Integer, String> leaders = new ConcurrentHashMap<>();

  PartitionRouter(ClusterMapResponse map) {
    if (!KEY_HASH.equals(map.getKeyHash())) {
      throw new KvException(
          "the cluster uses key hash '"
              + map.getKeyHash()
              + "', which this client does not know; upgrade the client");
    }
    this.epoch = map.getEpoch();
    this.scheme = PartitionScheme.of(map.getPartitionCount());
    Map<String, String> endpointOf = new HashMap<>();
    for (NodeInfo n : map.getNodesList()) {
      endpointOf.put(n.getId(), n.getClientEndpoint());
    }
    for (PartitionInfo p : map.getPartitionsList()) {
      List<String> eps = new ArrayList<>();
      for (String r : p.getReplicasList()) {
        String ep = endpointOf.get(r);
        if (ep != null) {
          eps.add(ep);
        }
      }
      if (eps.isEmpty()) {
        throw new KvException("cluster map: partition " + p.getId() + " has no known replicas");
      }
      replicaEndpoints.add(List.copyOf(eps));
      String leader = endpointOf.get(p.getLeader());
      if (leader != null) {
        leaders.put(p.getId(), leader);
      }
    }
    if (replicaEndpoints.size() != map.getPartitionCount()) {
      throw new KvException(
          "cluster map lists "
              + replicaEndpoints.size()
              + " of "
              + map.getPartitionCount()
              + " partitions");
    }
  }

  long epoch() {
    return epoch;
  }

  int partitionCount() {
    return replicaEndpoints.size();
  }

  int partitionOf(byte[] key) {
    return scheme.partitionOf(KeyHasher.hashKey(key));
  }

  /** Keeps leaders learned under an older map where the replica sets still contain them. */
  void inherit(PartitionRouter older) {
    for (Map.Entry<Integer, String> e : older.leaders.entrySet()) {
      int p = e.getKey();
      if (p < replicaEndpoints.size() && replicaEndpoints.get(p).contains(e.getValue())) {
        leaders.putIfAbsent(p, e.getValue());
      }
    }
  }

  Route route(int partition) {
    return new Route() {
      @Override
      public String pick() {
        String leader = leaders.get(partition);
        return leader != null ? leader : replicaEndpoints.get(partition).get(0);
      }

      @Override
      public void leaderIs(String endpoint) {
        leaders.put(partition, endpoint);
      }

      @Override
      public void failed(String endpoint) {
        List<String> eps = replicaEndpoints.get(partition);
        int i = eps.indexOf(endpoint);
        String next = eps.get((i + 1) % eps.size());
        leaders.put(partition, next);
      }
    };
  }
}
