package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.cluster.PartitionEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Maps partitions (and the meta group) to Raft groups. Group ids are derived from the partition
 * number alone (name-based UUIDs), so every node computes the same id without coordination. Never
 * change the derivation: data directories are named by it.
 *
 * <p>A partition's preferred leader (first replica in the map) gets a higher Raft priority, so
 * Ratis moves leadership to it whenever it is up to date: leaders spread as the map says.
 */
public final class PartitionGroups {
  /** The "partition number" of the meta group in logs and status. */
  public static final int META = -1;

  static final RaftGroupId META_GROUP =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("kvstore-meta".getBytes(StandardCharsets.UTF_8)));

  private final ClusterMap map;
  private final Map<RaftGroupId, Integer> partitions = new HashMap<>();

  public PartitionGroups(ClusterMap map) {
    this.map = map;
    for (int p = 0; p < map.partitionCount(); p++) {
      partitions.put(groupId(p), p);
    }
    partitions.put(META_GROUP, META);
  }

  public static RaftGroupId groupId(int partition) {
    if (partition == META) {
      return META_GROUP;
    }
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(
            ("kvstore-partition-" + partition).getBytes(StandardCharsets.UTF_8)));
  }

  public ClusterMap map() {
    return map;
  }

  /** The partition of a group id ({@link #META} for the meta group), or null if unknown. */
  public Integer partitionOf(RaftGroupId id) {
    return partitions.get(id);
  }

  /** The Raft group of a partition with its replicas; the preferred leader has priority 1. */
  public RaftGroup group(int partition) {
    if (partition == META) {
      List<RaftPeer> peers = new ArrayList<>();
      for (String id : map.metaVoters()) {
        peers.add(peer(map.node(id).orElseThrow(), 0));
      }
      return RaftGroup.valueOf(META_GROUP, peers);
    }
    PartitionEntry e = map.partition(partition);
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : e.replicas()) {
      peers.add(peer(map.node(id).orElseThrow(), id.equals(e.preferredLeader()) ? 1 : 0));
    }
    return RaftGroup.valueOf(groupId(partition), peers);
  }

  /** The groups {@code nodeId} hosts: the meta group if it is a voter, then its partitions. */
  public List<Integer> hostedBy(String nodeId) {
    List<Integer> out = new ArrayList<>();
    if (map.isMetaVoter(nodeId)) {
      out.add(META);
    }
    out.addAll(map.partitionsOf(nodeId));
    return out;
  }

  private static RaftPeer peer(NodeEntry n, int priority) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(n.id()))
        .setAddress(n.raftEndpoint())
        .setPriority(priority)
        .build();
  }
}
