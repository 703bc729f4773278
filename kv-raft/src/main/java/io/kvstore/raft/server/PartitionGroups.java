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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
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
 *
 * <p>Holds the node's current cluster map. It only moves forward: {@link #advance} takes a map only
 * if its epoch is higher, so every reader (routing, status, redirects) sees epochs rise and never
 * fall. The partition count never changes, so group ids stay valid across maps.
 */
public final class PartitionGroups {
  /** The "partition number" of the meta group in logs and status. */
  public static final int META = -1;

  static final RaftGroupId META_GROUP =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("kvstore-meta".getBytes(StandardCharsets.UTF_8)));

  private final AtomicReference<ClusterMap> map;
  private final Map<RaftGroupId, Integer> partitions = new HashMap<>();
  private volatile Supplier<? extends Iterable<RaftGroupId>> running = List::of;

  public PartitionGroups(ClusterMap map) {
    this.map = new AtomicReference<>(map);
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

  /** The newest cluster map this node knows. */
  public ClusterMap map() {
    return map.get();
  }

  /**
   * Makes {@code next} the current map if its epoch is higher than the current one's; returns
   * whether it did. A map of another partition count is refused (group ids would change meaning).
   */
  public boolean advance(ClusterMap next) {
    while (true) {
      ClusterMap cur = map.get();
      if (next.epoch() <= cur.epoch()) {
        return false;
      }
      if (next.partitionCount() != cur.partitionCount()) {
        throw new IllegalArgumentException(
            "cluster map epoch "
                + next.epoch()
                + " has "
                + next.partitionCount()
                + " partitions, this node "
                + cur.partitionCount());
      }
      if (map.compareAndSet(cur, next)) {
        return true;
      }
    }
  }

  /**
   * Tells which groups the Raft server runs, so {@link #hostedBy} also lists groups hosted here
   * that the map does not (yet) place here, such as a replica being moved in.
   */
  void runningGroups(Supplier<? extends Iterable<RaftGroupId>> running) {
    this.running = running;
  }

  /** The partition of a group id ({@link #META} for the meta group), or null if unknown. */
  public Integer partitionOf(RaftGroupId id) {
    return partitions.get(id);
  }

  /** The Raft group of a partition with its replicas; the preferred leader has priority 1. */
  public RaftGroup group(int partition) {
    ClusterMap map = this.map.get();
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

  /** The groups the map places on {@code nodeId}: the meta group if it votes, its partitions. */
  public List<Integer> placedOn(String nodeId) {
    ClusterMap map = this.map.get();
    List<Integer> out = new ArrayList<>();
    if (map.isMetaVoter(nodeId)) {
      out.add(META);
    }
    out.addAll(map.partitionsOf(nodeId));
    return out;
  }

  /**
   * The groups {@code nodeId} hosts or should host: the meta group if it is a voter, then its
   * partitions by the map, then the partitions whose group runs here although the map does not
   * place them here (a replica being moved in, or one moved out and not yet removed).
   */
  public List<Integer> hostedBy(String nodeId) {
    ClusterMap map = this.map.get();
    List<Integer> out = new ArrayList<>();
    if (map.isMetaVoter(nodeId)) {
      out.add(META);
    }
    out.addAll(map.partitionsOf(nodeId));
    List<Integer> extra = new ArrayList<>();
    for (RaftGroupId gid : running.get()) {
      Integer p = partitions.get(gid);
      if (p != null && !out.contains(p)) {
        extra.add(p);
      }
    }
    extra.sort(null);
    out.addAll(extra);
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
