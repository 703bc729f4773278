package io.kvstore.raft.server;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Maps partitions to Raft groups. A partition's group id is derived from the partition number alone
 * (a name-based UUID), so every node computes the same id without coordination. Never change the
 * derivation: existing data directories are named by it.
 */
public final class PartitionGroups {
  private final List<Member> members;
  private final Map<RaftGroupId, Integer> partitions = new HashMap<>();
  private final int count;

  public PartitionGroups(List<Member> members, int partitionCount) {
    this.members = List.copyOf(members);
    this.count = partitionCount;
    for (int p = 0; p < partitionCount; p++) {
      partitions.put(groupId(p), p);
    }
  }

  public static RaftGroupId groupId(int partition) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(
            ("kvstore-partition-" + partition).getBytes(StandardCharsets.UTF_8)));
  }

  public int count() {
    return count;
  }

  /** The partition of a group id, or -1 when the id is not a partition's. */
  public int partitionOf(RaftGroupId id) {
    Integer p = partitions.get(id);
    return p == null ? -1 : p;
  }

  /** The Raft group of a partition with its replicas. */
  public RaftGroup group(int partition) {
    return RaftGroup.valueOf(
        groupId(partition), members.stream().map(PartitionGroups::peer).toList());
  }

  static RaftPeer peer(Member m) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(m.id()))
        .setAddress(m.raftAddress())
        .build();
  }
}
