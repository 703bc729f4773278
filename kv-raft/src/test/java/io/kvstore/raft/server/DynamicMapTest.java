package io.kvstore.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvClient;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.raft.api.KeyRouter;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node's map only moves forward; routing follows it and the groups running here. */
class DynamicMapTest {
  static final ClusterMap MAP = MapChangesTest.MAP;

  @Test
  void partitionGroups_advanceOnlyToNewerEpochs() {
    PartitionGroups groups = new PartitionGroups(MAP);
    ClusterMap e2 = MapChanges.withNode(MAP, MapChangesTest.node("n4", 400));
    ClusterMap e3 =
        MapChanges.withReplicas(e2, 0, MapChanges.moved(e2.partition(0).replicas(), null, "n4"));
    assertTrue(groups.advance(e3));
    assertFalse(groups.advance(e2), "an older map is ignored");
    assertFalse(groups.advance(e3), "the same epoch is ignored");
    assertEquals(e3, groups.map());
    assertTrue(groups.hostedBy("n4").contains(0));
  }

  @Test
  void partitionGroups_listGroupsRunningHereThatTheMapDoesNotPlaceHere() {
    ClusterMap four =
        ClusterMap.bootstrap(
            List.of(
                MapChangesTest.node("n1", 100),
                MapChangesTest.node("n2", 200),
                MapChangesTest.node("n3", 300),
                MapChangesTest.node("n4", 400)),
            8,
            3);
    PartitionGroups groups = new PartitionGroups(four);
    int notOnN1 = -1;
    for (int p = 0; p < four.partitionCount(); p++) {
      if (!four.partition(p).replicas().contains("n1")) {
        notOnN1 = p;
      }
    }
    int extra = notOnN1;
    assertTrue(extra >= 0, "some partition has no replica on n1");
    assertFalse(groups.hostedBy("n1").contains(extra));
    groups.runningGroups(() -> List.of(PartitionGroups.groupId(extra)));
    assertTrue(groups.hostedBy("n1").contains(extra));
  }

  @Test
  void keyRouter_servesWhatRunsHere_redirectsElsewhereWithTheEpoch() {
    ClusterMap[] map = {MAP};
    Set<Integer> running = new java.util.HashSet<>(List.of(0, 1, 2, 3));
    AtomicInteger misses = new AtomicInteger();
    KeyRouter router =
        new KeyRouter(
            () -> map[0],
            "n1",
            PartitionGroups::groupId,
            running::contains,
            misses::incrementAndGet);
    assertEquals(PartitionGroups.groupId(2), router.groupOfPartition(2));
    running.remove(2); // moved away, the map not yet updated
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> router.groupOfPartition(2));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    String hint = e.getTrailers().get(KvClient.LEADER_KEY);
    assertFalse(MAP.node("n1").orElseThrow().clientEndpoint().equals(hint), "not to itself");
    assertEquals(Long.toString(MAP.epoch()), e.getTrailers().get(KvClient.EPOCH_KEY));
    assertEquals(1, misses.get());
    map[0] = MapChanges.withNode(MAP, MapChangesTest.node("n4", 400));
    e = assertThrows(StatusRuntimeException.class, () -> router.groupOfPartition(2));
    assertEquals(Long.toString(map[0].epoch()), e.getTrailers().get(KvClient.EPOCH_KEY));
  }

  @Test
  void joinConfig_needsAnotherMember() {
    Properties p = new Properties();
    p.setProperty("node.id", "n4");
    p.setProperty("node.data-dir", "/tmp/unused");
    p.setProperty("cluster.members", "n4:127.0.0.4:1:2");
    p.setProperty("cluster.join", "true");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.fromProperties(p));
    assertTrue(e.getMessage().contains("at least one member"), e.getMessage());
    p.setProperty("cluster.members", "n1:127.0.0.1:1:2,n4:127.0.0.4:1:2");
    NodeConfig c = NodeConfig.fromProperties(p);
    assertTrue(c.join(), "fewer members than replicas is fine when joining");
    p.setProperty("cluster.join", "yes");
    assertThrows(ConfigException.class, () -> NodeConfig.fromProperties(p));
  }
}
