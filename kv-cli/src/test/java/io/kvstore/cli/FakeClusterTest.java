package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusRequest;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.DiskStatus;
import io.kvstore.client.proto.GetClusterMapRequest;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.KvGrpc;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.HashRange;
import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster commands against fake nodes that answer with hand-made maps and statuses: the states
 * a healthy test cluster never shows on demand (a partition without leader, a group that is not
 * running, a map with an unknown key hash, a node that does not answer).
 *
 * <p>The map: two partitions; partition 0 on n1 (which also holds the meta group), partition 1 on
 * n2; n3 is in the map but nothing listens at its address.
 */
class FakeClusterTest {
  private FakeNode n1;
  private FakeNode n2;
  private String n3;

  /** A node answering GetClusterMap and ClusterStatus with whatever the test set. */
  private static final class FakeNode extends KvGrpc.KvImplBase implements AutoCloseable {
    volatile ClusterMapResponse map;
    volatile ClusterStatusResponse status;
    final Server server;
    final String endpoint;

    FakeNode() throws IOException {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(this)
              .build()
              .start();
      endpoint = "127.0.0.1:" + server.getPort();
    }

    @Override
    public void getClusterMap(GetClusterMapRequest req, StreamObserver<ClusterMapResponse> out) {
      out.onNext(map);
      out.onCompleted();
    }

    @Override
    public void clusterStatus(ClusterStatusRequest req, StreamObserver<ClusterStatusResponse> out) {
      out.onNext(status);
      out.onCompleted();
    }

    @Override
    public void close() {
      server.shutdownNow();
    }
  }

  private static GroupStatus group(int partition, String role, String leader) {
    return GroupStatus.newBuilder()
        .setPartition(partition)
        .setRole(role)
        .setTerm(7)
        .setAppliedIndex(42)
        .setCommitIndex(42)
        .setLeaderId(leader)
        .setHealthy(!leader.isEmpty())
        .setKeyCount(5)
        .setBytesOnDisk(2048)
        .build();
  }

  private static GroupStatus meta(String role, String leader) {
    return group(0, role, leader).toBuilder().setMeta(true).build();
  }

  private ClusterMapResponse map(String keyHash, String partition1Leader) {
    PartitionScheme s = PartitionScheme.of(2);
    HashRange r0 = s.range(0);
    HashRange r1 = s.range(1);
    return ClusterMapResponse.newBuilder()
        .setEpoch(3)
        .setPartitionCount(2)
        .setReplicationFactor(1)
        .setKeyHash(keyHash)
        .addMetaVoters("n1")
        .addNodes(node("n1", n1.endpoint, "a"))
        .addNodes(node("n2", n2.endpoint, "b"))
        .addNodes(node("n3", n3, "c"))
        .addPartitions(
            PartitionInfo.newBuilder()
                .setId(0)
                .setRangeStart(r0.startInclusive())
                .setRangeEnd(r0.endExclusive())
                .addReplicas("n1")
                .setLeader("n1"))
        .addPartitions(
            PartitionInfo.newBuilder()
                .setId(1)
                .setRangeStart(r1.startInclusive())
                .setRangeEnd(r1.endExclusive())
                .addReplicas("n2")
                .setLeader(partition1Leader))
        .build();
  }

  private static NodeInfo node(String id, String endpoint, String zone) {
    return NodeInfo.newBuilder()
        .setId(id)
        .setClientEndpoint(endpoint)
        .setRaftEndpoint(endpoint.replace("127.0.0.1", "127.0.0.9"))
        .setZone(zone)
        .setWeight(1)
        .setState("ACTIVE")
        .build();
  }

  private static ClusterStatusResponse status(String id, FakeNode n, GroupStatus... groups) {
    return ClusterStatusResponse.newBuilder()
        .setNodeId(id)
        .setClientEndpoint(n.endpoint)
        .setZone(id.equals("n1") ? "a" : "b")
        .setMapEpoch(3)
        .setUptimeMs(61_000)
        .addAllGroups(List.of(groups))
        .build();
  }

  @BeforeEach
  void start() throws IOException {
    n1 = new FakeNode();
    n2 = new FakeNode();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      n3 = "127.0.0.1:" + s.getLocalPort();
    }
    ClusterMapResponse map = map(ClusterProbe.KEY_HASH, "");
    n1.map = map;
    n2.map = map;
    n1.status = status("n1", n1, meta("LEADER", "n1"), group(0, "LEADER", "n1"));
    // Partition 1 has no leader: its only replica is a follower that has not heard from one.
    n2.status = status("n2", n2, group(1, "FOLLOWER", ""));
  }

  @AfterEach
  void stop() {
    n1.close();
    n2.close();
  }

  private CliRun kv(String... args) {
    return run(
        Stream.concat(
                Stream.of("--endpoints", n1.endpoint + "," + n2.endpoint, "--timeout", "2s"),
                Stream.of(args))
            .toArray(String[]::new));
  }

  /** A key of partition {@code p} of the two. */
  private static String keyOf(int p) {
    for (int i = 0; ; i++) {
      String k = "key-" + i;
      if (PartitionScheme.of(2).partitionOf(KeyHasher.hashKey(k.getBytes(StandardCharsets.UTF_8)))
          == p) {
        return k;
      }
    }
  }

  @Test
  void partitions_aPartitionWithoutLeaderShowsDashesAndExitsThree() {
    CliRun r = kv("cluster", "partitions");
    assertEquals(3, r.exitCode(), r.describe());
    assertEquals(
        List.of(
            "PARTITION   HASH RANGE                          REPLICAS   TERM   APPLIED   KEYS   BYTES",
            "0           0000000000000000-7fffffffffffffff   n1*        7      42        5      2.0 KiB",
            "1           8000000000000000-ffffffffffffffff   n2         -      -         -      -"),
        r.out().lines().toList());
    assertEquals(
        List.of("kv: 1 of 2 partitions have no known leader (1 of 3 nodes unreachable)"),
        r.errLines());
  }

  @Test
  void partitionsJson_hasNullsForALeaderlessPartitionAndExactBytes() {
    CliRun r = kv("-o", "json", "cluster", "partitions");
    assertEquals(3, r.exitCode(), r.describe());
    var rows = JsonParser.parseArrayOfObjects(r.out());
    assertEquals(2048L, rows.get(0).get("bytes"));
    assertEquals("n1", rows.get(0).get("leader"));
    for (String field : List.of("leader", "term", "applied", "keys", "bytes")) {
      assertTrue(rows.get(1).containsKey(field) && rows.get(1).get(field) == null, field);
    }
  }

  @Test
  void partitionsPlain_printsExactBytesWithoutHeader() {
    CliRun r = kv("-o", "plain", "cluster", "partitions");
    assertEquals(
        "0\t0000000000000000-7fffffffffffffff\tn1*\t7\t42\t5\t2048",
        r.out().lines().findFirst().orElseThrow());
  }

  @Test
  void status_aNodeWithALeaderlessGroupIsUnhealthyAndTheMapsThirdNodeIsAsked() {
    CliRun r = kv("cluster", "status");
    assertEquals(3, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.describe());
    assertTrue(
        lines.get(1).matches("n1 +" + n1.endpoint + " +a +2 +1 +3 +true +- +1m1s +"), r.describe());
    assertTrue(
        lines
            .get(2)
            .matches("n2 +" + n2.endpoint + " +b +1 +0 +3 +false +- +1m1s +unhealthy groups: 1"),
        r.describe());
    assertTrue(
        lines.get(3).matches("n3 +" + n3 + " +- +- +- +- +false +- +- +" + n3 + " unavailable.*"),
        r.describe());
    assertEquals(List.of("kv: 2 of 3 nodes unreachable or unhealthy"), r.errLines());
  }

  @Test
  void status_aNodeWhoseDataDiskIsFullShowsItInTheDiskColumnAndExitsThree() {
    n1.status =
        status("n1", n1, meta("FOLLOWER", "n2"), group(0, "FOLLOWER", "n2")).toBuilder()
            .setDisk(
                DiskStatus.newBuilder()
                    .setState("LOW_SPACE")
                    .setWritable(false)
                    .setFreeBytes(12L << 20)
                    .setMinFreeBytes(16L << 20)
                    .setReason("12 MB free < 16 MB (storage.disk.min-free-mb)")
                    .setPath("/data/n1"))
            .build();
    CliRun r = kv("cluster", "status");
    assertEquals(3, r.exitCode(), r.describe());
    assertTrue(
        r.out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "n1 +"
                            + n1.endpoint
                            + " +a +2 +0 +3 +false +LOW_SPACE 12 MB free +1m1s +data disk"
                            + " LOW_SPACE: 12 MB free < 16 MB \\(storage.disk.min-free-mb\\)")),
        r.describe());
    CliRun json = kv("-o", "json", "cluster", "status");
    var n1json = JsonParser.parseArrayOfObjects(json.out()).get(0);
    @SuppressWarnings("unchecked")
    var disk = (java.util.Map<String, Object>) n1json.get("disk");
    assertEquals("LOW_SPACE", disk.get("state"), json.describe());
    assertEquals(false, disk.get("writable"), json.describe());
    assertEquals(false, n1json.get("healthy"), json.describe());
  }

  @Test
  void status_aGroupTheMapPlacesOnTheNodeButItDoesNotReportIsNotRunning() {
    n1.status = status("n1", n1, group(0, "LEADER", "n1"));
    CliRun r = kv("cluster", "status", "--partitions");
    assertEquals(3, r.exitCode(), r.describe());
    assertTrue(
        r.out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "n1 +"
                            + n1.endpoint
                            + " +meta +- +- +- +- +- +false +group not running on this node")),
        r.describe());
    CliRun json = kv("-o", "json", "cluster", "status");
    var n1json = JsonParser.parseArrayOfObjects(json.out()).get(0);
    assertEquals(List.of("meta"), n1json.get("notRunning"));
    assertEquals(false, n1json.get("healthy"));
    assertEquals("groups not running: meta", n1json.get("error"));
  }

  @Test
  void nodes_aMapNodeThatDoesNotAnswerIsUnreachableAndExitsThree() {
    n2.status = status("n2", n2, group(1, "LEADER", "n2"));
    CliRun r = kv("cluster", "nodes");
    assertEquals(3, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).endsWith(" REACHABLE   ERROR"), r.describe());
    assertTrue(
        lines.get(1).matches("n1 +\\S+ +" + n1.endpoint + " +a +1 +ACTIVE +yes +1 +yes +"),
        r.describe());
    assertTrue(
        lines.get(2).matches("n2 +\\S+ +" + n2.endpoint + " +b +1 +ACTIVE +no +1 +yes +"),
        r.describe());
    assertTrue(
        lines
            .get(3)
            .matches("n3 +\\S+ +" + n3 + " +c +1 +ACTIVE +no +0 +no +" + n3 + " unavailable.*"),
        r.describe());
    assertEquals(List.of("kv: 1 of 3 nodes unreachable"), r.errLines());
  }

  @Test
  void locate_refusesAMapWithAnUnknownKeyHashWithExitFour() {
    n1.map = map("sha1-mod", "");
    n2.map = n1.map;
    oneLineErrorContaining(kv("locate", "k"), 4, "the cluster map uses key hash 'sha1-mod'");
  }

  @Test
  void locate_aPartitionWithoutLeaderPrintsADashAndExitsThree() {
    CliRun r = kv("locate", keyOf(1));
    assertEquals(3, r.exitCode(), r.describe());
    assertTrue(
        r.out()
            .lines()
            .toList()
            .get(1)
            .matches("1 +\\p{XDigit}{16} +8000000000000000-ffffffffffffffff +n2 +- +-"),
        r.describe());
    assertEquals(List.of("kv: partition 1 has no known leader"), r.errLines());
  }

  @Test
  void locate_fallsBackToTheLeaderTheMapNamesWhenNoReplicaSaysLeader() {
    n1.map = map(ClusterProbe.KEY_HASH, "n2");
    n2.map = n1.map;
    CliRun r = kv("locate", keyOf(1));
    assertEquals(0, r.exitCode(), r.describe());
    assertTrue(
        r.out().lines().toList().get(1).matches(".* n2\\* +n2 +" + n2.endpoint), r.describe());
  }

  @Test
  void locate_theLeaderIsTheReplicaWhoseGroupSaysLeader() {
    CliRun r = kv("-o", "json", "locate", keyOf(0));
    assertEquals(0, r.exitCode(), r.describe());
    var j = JsonParser.parseObject(r.out());
    assertEquals(0L, j.get("partition"));
    assertEquals("n1", j.get("leader"));
    assertEquals(n1.endpoint, j.get("leaderAddress"));
    assertEquals(3L, j.get("mapEpoch"));
  }
}
