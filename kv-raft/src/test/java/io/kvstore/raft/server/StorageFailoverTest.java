package io.kvstore.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.core.cluster.ClusterMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

/** The priority arithmetic of stepping aside and coming back, for the preferred leader and not. */
class StorageFailoverTest {
  static final ClusterMap MAP =
      ClusterMap.bootstrap(
          List.of(
              Member.parse("n1:127.0.0.1:1001:2001").toNodeEntry(),
              Member.parse("n2:127.0.0.1:1002:2002").toNodeEntry(),
              Member.parse("n3:127.0.0.1:1003:2003").toNodeEntry()),
          1,
          3);
  static final PartitionGroups GROUPS = new PartitionGroups(MAP);

  @Test
  void preferredLeader_dropsToZero_othersUnchanged_andComesBackToOne() {
    String preferred = MAP.partition(0).preferredLeader();
    StorageFailover f = new StorageFailover(null, GROUPS, preferred, null);
    List<RaftPeer> mapPeers = new ArrayList<>(GROUPS.group(0).getPeers());

    List<RaftPeer> lowered = f.lowered(mapPeers);
    Map<String, Integer> expectedLow = priorities(mapPeers);
    expectedLow.put(preferred, 0);
    assertEquals(expectedLow, priorities(lowered));

    assertEquals(priorities(mapPeers), priorities(f.restored(0, lowered)));
  }

  @Test
  void restoring_keepsAnotherReplicaThatLoweredItselfDown() {
    String preferred = MAP.partition(0).preferredLeader();
    String other = MAP.partition(0).replicas().get(1);
    RaftGroup group = GROUPS.group(0);
    // The preferred leader's disk is degraded (it lowered itself); then `other` had a full disk
    // and comes back: it must not raise the preferred leader again.
    List<RaftPeer> current =
        new StorageFailover(null, GROUPS, preferred, null)
            .lowered(new ArrayList<>(group.getPeers()));
    StorageFailover f = new StorageFailover(null, GROUPS, other, null);
    Map<String, Integer> restored = priorities(f.restored(0, current));
    assertEquals(0, restored.get(preferred));
    assertEquals(0, restored.get(other));
  }

  private static Map<String, Integer> priorities(List<RaftPeer> peers) {
    Map<String, Integer> m = new TreeMap<>();
    for (RaftPeer p : peers) {
      m.put(p.getId().toString(), p.getPriority());
    }
    return m;
  }
}
