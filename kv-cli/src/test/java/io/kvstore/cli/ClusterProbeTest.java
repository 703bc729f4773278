package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvstore.cli.ClusterProbe.NodeReport;
import io.kvstore.cli.ClusterProbe.Target;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.PartitionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterProbeTest {

  private static GroupStatus group(int partition, String role, long term) {
    return GroupStatus.newBuilder()
        .setPartition(partition)
        .setRole(role)
        .setTerm(term)
        .setHealthy(true)
        .build();
  }

  private static GroupStatus meta(String role) {
    return GroupStatus.newBuilder().setMeta(true).setRole(role).setHealthy(true).build();
  }

  private static NodeReport node(String id, GroupStatus... groups) {
    return new NodeReport(
        new Target(id + ":9870", id),
        ClusterStatusResponse.newBuilder().setNodeId(id).addAllGroups(List.of(groups)).build(),
        null);
  }

  @Test
  void leaders_areTheReplicasReportingLeaderAndNotTheMetaGroup() {
    List<NodeReport> reports =
        List.of(
            node("n1", meta("LEADER"), group(0, "LEADER", 1), group(1, "FOLLOWER", 1)),
            node("n2", meta("FOLLOWER"), group(0, "FOLLOWER", 1), group(1, "LEADER", 1)),
            new NodeReport(new Target("n3:9870", "n3"), null, "unavailable"));
    var leaders = ClusterProbe.leaders(reports);
    assertEquals(2, leaders.size(), "the meta group (partition 0 on the wire) is not partition 0");
    assertEquals("n1", leaders.get(0).nodeId());
    assertEquals("n2", leaders.get(1).nodeId());
  }

  @Test
  void leaders_aDeposedLeaderLosesToTheHigherTerm() {
    var leaders =
        ClusterProbe.leaders(
            List.of(node("n1", group(4, "LEADER", 3)), node("n2", group(4, "LEADER", 5))));
    assertEquals("n2", leaders.get(4).nodeId());
    assertEquals(5, leaders.get(4).group().getTerm());
  }

  @Test
  void reportGroups_listTheMetaGroupFirstThenPartitionsAscending() {
    NodeReport r = node("n1", group(2, "FOLLOWER", 1), meta("FOLLOWER"), group(0, "LEADER", 1));
    assertEquals(
        List.of("meta", "0", "2"), r.groups().stream().map(ClusterProbe::groupName).toList());
    assertEquals(1, r.leads());
  }

  @Test
  void missingGroups_areTheMapsGroupsForTheNodeThatItDoesNotReport() {
    ClusterMapResponse map =
        ClusterMapResponse.newBuilder()
            .addMetaVoters("n1")
            .addPartitions(PartitionInfo.newBuilder().setId(0).addReplicas("n1"))
            .addPartitions(PartitionInfo.newBuilder().setId(1).addReplicas("n2"))
            .addPartitions(PartitionInfo.newBuilder().setId(2).addReplicas("n2").addReplicas("n1"))
            .build();
    assertEquals(
        List.of("meta", "2"), ClusterProbe.missingGroups(map, node("n1", group(0, "LEADER", 1))));
    assertEquals(
        List.of(),
        ClusterProbe.missingGroups(
            map, node("n1", meta("LEADER"), group(0, "LEADER", 1), group(2, "FOLLOWER", 1))));
    assertEquals(List.of(), ClusterProbe.missingGroups(null, node("n1")), "no map, no check");
  }

  @Test
  void replicas_markTheLeaderWithAStarAndKeepTheMapsOrder() {
    assertEquals("n1*,n3,n4", ClusterProbe.replicas(List.of("n1", "n3", "n4"), "n1"));
    assertEquals("n4,n1,n3*", ClusterProbe.replicas(List.of("n4", "n1", "n3"), "n3"));
    assertEquals("n4,n1,n3", ClusterProbe.replicas(List.of("n4", "n1", "n3"), null));
  }

  @Test
  void nodeId_ofAnUnreachableNodeIsTheMapsIdOrNull() {
    assertEquals("n3", new NodeReport(new Target("h:1", "n3"), null, "down").nodeId());
    assertNull(new NodeReport(new Target("h:1", null), null, "down").nodeId());
  }
}
