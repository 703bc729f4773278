package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.CliRun.withStdin;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.ring.HashRange;
import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real four-node cluster (Ratis over gRPC, MapDB, fsync) in this JVM, each node
 * on its own loopback address with free ports: 16 partitions, 3 replicas, zones a, b, c, a (so
 * zone-aware placement puts one replica in each zone: n2 and n3 hold every partition, n1 and n4
 * share zone a's), n4 with weight 2 and outside the meta group (its voters are the first three
 * nodes). Every command gets a generous --timeout, so the first request doubles as the wait for a
 * leader; commands that need every group led poll with a deadline ({@link #eventually}): no sleeps.
 */
class CliClusterIT {
  private static final int NODES = 4;
  private static final int PARTITIONS = 16;
  private static final String[] ZONES = {"a", "b", "c", "a"};
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static InJvmTestCluster cluster;
  private static final List<String> CLIENTS = new ArrayList<>();
  private static final List<String> RAFTS = new ArrayList<>();
  private static String endpoints;

  @TempDir static Path root;

  @BeforeAll
  static void startCluster() throws IOException {
    // n4 (zone a) has weight 2
    cluster =
        new InJvmTestCluster(
            root, "127.0.200.", NODES, PARTITIONS, i -> ":" + ZONES[i] + ":" + (i == 3 ? 2 : 1));
    endpoints = cluster.endpoints;
    CLIENTS.addAll(cluster.clients);
    RAFTS.addAll(cluster.rafts);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /** The CLI pointed at this cluster, with time to elect a leader on a busy machine. */
  private static CliRun kv(String... args) {
    return withStdin(null, withCluster(args));
  }

  private static String[] withCluster(String... args) {
    return Stream.concat(Stream.of("--endpoints", endpoints, "--timeout", "30s"), Stream.of(args))
        .toArray(String[]::new);
  }

  private static long version(CliRun put) {
    Matcher m = Pattern.compile("OK version=(\\d+)\n").matcher(put.out());
    assertTrue(m.matches(), put.describe());
    return Long.parseLong(m.group(1));
  }

  @Test
  void putGetDelete_roundTripWithVersionsAndNotFound() {
    CliRun put = kv("put", "it/round-trip", "hello");
    assertEquals(0, put.exitCode(), put.describe());
    long version = version(put);

    CliRun get = kv("get", "it/round-trip");
    assertEquals(0, get.exitCode(), get.describe());
    assertEquals("hello", get.rawText(), "raw value, no newline when not a terminal");

    CliRun json = kv("-o", "json", "get", "it/round-trip");
    assertEquals(
        "{\"key\":\"it/round-trip\",\"value\":\"hello\",\"version\":"
            + version
            + ",\"createVersion\":"
            + version
            + "}\n",
        json.out());

    long second = version(kv("put", "it/round-trip", "again"));
    assertTrue(second > version);
    assertTrue(
        kv("-o", "json", "get", "it/round-trip")
            .out()
            .endsWith("\"version\":" + second + ",\"createVersion\":" + version + "}\n"));

    CliRun del = kv("del", "it/round-trip");
    assertEquals(0, del.exitCode(), del.describe());
    assertEquals("deleted\n", del.out());

    oneLineError(kv("get", "it/round-trip"), 1, "key not found: it/round-trip");
    oneLineError(kv("delete", "it/round-trip"), 1, "key not found: it/round-trip");
  }

  @Test
  void binaryKeysAndValues_roundTripWithHexAndBase64() {
    assertEquals(0, kv("put", "--hex", "00ff", "c3280a").exitCode());
    assertEquals("c3280a\n", kv("get", "--hex", "00ff").out());
    assertEquals("wygK\n", kv("get", "--base64", "AP8=").out());
    assertEquals(0, kv("get", "--hex", "00ff").raw().length, "encoded values are text output");
    // Not UTF-8, so JSON carries base64 and says so.
    CliRun json = kv("-o", "json", "get", "--hex", "00ff");
    assertTrue(
        json.out()
            .startsWith(
                "{\"key\":\"00ff\",\"keyEncoding\":\"hex\",\"value\":\"c3280a\","
                    + "\"valueEncoding\":\"hex\","),
        json.out());
  }

  @Test
  void put_readsTheValueFromStdinAndFromAFile(@TempDir Path dir) throws IOException {
    byte[] binary = {0, (byte) 0xff, 10, 13};
    assertEquals(0, withStdin(binary, withCluster("put", "it/stdin")).exitCode());
    assertArrayEquals(binary, kv("get", "it/stdin").raw());

    Path file = Files.write(dir.resolve("value.bin"), binary);
    assertEquals(0, kv("put", "it/file", "--file", file.toString()).exitCode());
    assertArrayEquals(binary, kv("get", "it/file").raw());
  }

  @Test
  void put_valueOverTheServersLimitIsRefusedByTheServerWithExitTwo() {
    // The CLI's own check is raised, so the server's 1 MiB default is what refuses it. (Far
    // larger values hit gRPC's message size cap first, which the client treats as retryable.)
    CliRun r = kv("--max-value-bytes", "2000000", "put", "it/big", "x".repeat((1 << 20) + 1));
    oneLineErrorContaining(r, 2, "1048577");
  }

  /**
   * Runs {@code command} until {@code done} holds or {@link #DEADLINE} passes, then returns the
   * last run. For what the cluster reaches on its own: every group led, a replica caught up.
   */
  private static CliRun eventually(Supplier<CliRun> command, Predicate<CliRun> done) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    long pauseMs = 50;
    while (true) {
      CliRun r = command.get();
      if (done.test(r) || System.nanoTime() > deadline) {
        return r;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
      pauseMs = Math.min(pauseMs * 2, 500);
    }
  }

  private static CliRun eventuallyOk(String... args) {
    CliRun r = eventually(() -> kv(args), run -> run.exitCode() == 0);
    assertEquals(0, r.exitCode(), r.describe());
    return r;
  }

  /** The table's rows (header dropped) split on the three-space column gaps. */
  private static List<String[]> rows(CliRun r) {
    return r.out().lines().skip(1).map(l -> l.split(" {3,}")).toList();
  }

  private static String zone(String node) {
    return ZONES[Integer.parseInt(node.substring(1)) - 1];
  }

  @Test
  void clusterStatus_showsOneRowPerNodeWithGroupsLeadershipsAndHealthAndExitsZero() {
    CliRun r = eventuallyOk("cluster", "status");
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines
            .get(0)
            .matches("NODE +ADDRESS +ZONE +GROUPS +LEADS +MAP EPOCH +HEALTHY +DISK +UPTIME"),
        r.describe());
    assertEquals(NODES + 1, lines.size(), r.describe());
    int groups = 0;
    int leads = 0;
    for (int i = 0; i < NODES; i++) {
      String[] row = rows(r).get(i);
      assertEquals("n" + (i + 1), row[0], r.describe());
      assertEquals(CLIENTS.get(i), row[1], r.describe());
      assertEquals(ZONES[i], row[2], r.describe());
      groups += Integer.parseInt(row[3]);
      leads += Integer.parseInt(row[4]);
      assertTrue(Long.parseLong(row[5]) >= 1, r.describe());
      assertEquals("true", row[6], r.describe());
      assertEquals("ok", row[7], r.describe());
      assertTrue(row[8].matches("\\d+[smhd](\\d+[smh])?"), r.describe());
    }
    // n2 and n3 (the only nodes of zones b and c) hold every partition and vote in the meta group.
    assertEquals(String.valueOf(PARTITIONS + 1), rows(r).get(1)[3], r.describe());
    assertEquals(String.valueOf(PARTITIONS + 1), rows(r).get(2)[3], r.describe());
    assertEquals(3 + 3 * PARTITIONS, groups, "3 meta voters plus 3 replicas per partition");
    assertEquals(PARTITIONS, leads, "every partition is led once; the meta group is not counted");
    assertEquals("", r.err());
  }

  @Test
  void clusterStatusPartitions_listsEveryGroupWithTheMetaGroupAsPartitionMeta() {
    CliRun r = eventuallyOk("cluster", "status", "--partitions");
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines
            .get(0)
            .matches("NODE +ADDRESS +PARTITION +ROLE +TERM +COMMIT +APPLIED +LEADER +HEALTHY"),
        r.describe());
    assertEquals(1 + 3 + 3 * PARTITIONS, lines.size(), r.describe());
    List<String[]> rows = rows(r);
    assertEquals(3, rows.stream().filter(row -> row[2].equals("meta")).count(), r.describe());
    assertEquals(
        List.of("n1", "n2", "n3"),
        rows.stream().filter(row -> row[2].equals("meta")).map(row -> row[0]).toList(),
        "the meta voters are the map's first three nodes");
    Set<String> led = new TreeSet<>();
    for (String[] row : rows) {
      assertEquals("true", row[8], r.describe());
      if (row[3].equals("LEADER")) {
        led.add(row[2]);
        assertEquals(row[0], row[7], "a leader names itself as leader: " + r.describe());
      }
    }
    assertEquals(PARTITIONS + 1, led.size(), "every partition and the meta group: " + led);
    // The same on a per-node basis: each node's rows are the meta group first, then ascending.
    List<String> n2 = rows.stream().filter(row -> row[0].equals("n2")).map(row -> row[2]).toList();
    assertEquals("meta", n2.get(0));
    for (int p = 0; p < PARTITIONS; p++) {
      assertEquals(Integer.toString(p), n2.get(p + 1));
    }
  }

  @Test
  void clusterStatusJson_hasEveryGroupOfEveryNode() {
    CliRun r = eventuallyOk("-o", "json", "cluster", "status");
    List<Map<String, Object>> nodes = JsonParser.parseArrayOfObjects(r.out());
    assertEquals(NODES, nodes.size(), r.describe());
    int groups = 0;
    for (int i = 0; i < NODES; i++) {
      Map<String, Object> n = nodes.get(i);
      assertEquals(
          List.of(
              "node",
              "address",
              "raftAddress",
              "zone",
              "mapEpoch",
              "uptimeMs",
              "healthy",
              "leads",
              "cache",
              "disk",
              "groups",
              "notRunning",
              "error"),
          List.copyOf(n.keySet()));
      @SuppressWarnings("unchecked")
      Map<String, Object> cache = (Map<String, Object>) n.get("cache");
      assertEquals(
          List.of("hits", "misses", "hitRatio", "bytes", "maxBytes"), List.copyOf(cache.keySet()));
      assertEquals("n" + (i + 1), n.get("node"));
      assertEquals(CLIENTS.get(i), n.get("address"));
      assertEquals(RAFTS.get(i), n.get("raftAddress"));
      assertEquals(ZONES[i], n.get("zone"));
      assertEquals(true, n.get("healthy"));
      assertEquals(List.of(), n.get("notRunning"));
      assertNull(n.get("error"));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> gs = (List<Map<String, Object>>) n.get("groups");
      groups += gs.size();
      for (Map<String, Object> g : gs) {
        for (String field :
            List.of(
                "partition",
                "meta",
                "groupId",
                "role",
                "term",
                "commitIndex",
                "appliedIndex",
                "leader",
                "healthy",
                "members",
                "keyCount",
                "bytesOnDisk")) {
          assertTrue(g.containsKey(field), field + " missing in " + g);
        }
        assertEquals(g.get("meta").equals(true), g.get("partition") == null, g.toString());
        assertEquals(3, ((List<?>) g.get("members")).size(), g.toString());
      }
    }
    assertEquals(3 + 3 * PARTITIONS, groups, r.describe());
  }

  @Test
  void clusterStatus_withOneEndpointStillShowsEveryNodeOfTheMap() {
    CliRun r =
        eventually(
            () -> run("--endpoints", CLIENTS.get(2), "--timeout", "30s", "cluster", "status"),
            run -> run.exitCode() == 0);
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals(
        List.of("n3", "n1", "n2", "n4"),
        rows(r).stream().map(row -> row[0]).toList(),
        "the given endpoint first, then the map's other nodes: " + r.describe());
  }

  @Test
  void clusterStatus_withOneEndpointDownExitsThreeButShowsTheOthers() throws IOException {
    String down = "127.0.0.1:" + InJvmTestCluster.freePort("127.0.0.1");
    String expected = "kv: 1 of " + (NODES + 1) + " nodes unreachable or unhealthy";
    CliRun r =
        eventually(
            () ->
                run("--endpoints", endpoints + "," + down, "--timeout", "30s", "cluster", "status"),
            run -> run.errLines().equals(List.of(expected)));
    assertEquals(3, r.exitCode(), r.describe());
    assertEquals(List.of(expected), r.errLines());
    assertTrue(r.out().lines().findFirst().orElse("").endsWith(" ERROR"), r.describe());
    assertEquals(NODES, r.out().lines().filter(l -> l.contains(" true ")).count(), r.describe());
    assertTrue(
        r.out().lines().anyMatch(l -> l.matches("- +" + down + " +- +- +- +- +false +- +.*")),
        r.describe());
  }

  @Test
  void clusterNodes_listsEveryMapNodeWithZoneWeightMetaVoteAndReplicaCount() {
    CliRun r = kv("cluster", "nodes");
    assertEquals(0, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines
            .get(0)
            .matches(
                "NODE +RAFT ADDRESS +CLIENT ADDRESS +ZONE +WEIGHT +STATE +META +REPLICAS"
                    + " +REACHABLE"),
        r.describe());
    assertEquals(NODES + 1, lines.size(), r.describe());
    int replicas = 0;
    for (int i = 0; i < NODES; i++) {
      String[] row = rows(r).get(i);
      assertEquals(
          List.of(
              "n" + (i + 1),
              RAFTS.get(i),
              CLIENTS.get(i),
              ZONES[i],
              i == 3 ? "2" : "1",
              "ACTIVE",
              i < 3 ? "yes" : "no"),
          List.of(row).subList(0, 7),
          r.describe());
      replicas += Integer.parseInt(row[7]);
      assertEquals("yes", row[8], r.describe());
    }
    assertEquals(String.valueOf(PARTITIONS), rows(r).get(1)[7], "n2: alone in zone b");
    assertEquals(String.valueOf(PARTITIONS), rows(r).get(2)[7], "n3: alone in zone c");
    assertEquals(3 * PARTITIONS, replicas, r.describe());
    assertEquals("", r.err());
  }

  @Test
  void clusterNodesJson_hasEveryFieldAndThePartitionsOfEachNode() {
    CliRun r = kv("-o", "json", "cluster", "nodes");
    assertEquals(0, r.exitCode(), r.describe());
    List<Map<String, Object>> nodes = JsonParser.parseArrayOfObjects(r.out());
    assertEquals(NODES, nodes.size());
    for (int i = 0; i < NODES; i++) {
      Map<String, Object> n = nodes.get(i);
      assertEquals(
          List.of(
              "node",
              "raftAddress",
              "clientAddress",
              "zone",
              "weight",
              "state",
              "metaVoter",
              "replicas",
              "partitions",
              "reachable",
              "error"),
          List.copyOf(n.keySet()));
      assertEquals("n" + (i + 1), n.get("node"));
      assertEquals(CLIENTS.get(i), n.get("clientAddress"));
      assertEquals(i == 3 ? 2L : 1L, n.get("weight"));
      assertEquals(i < 3, n.get("metaVoter"));
      assertEquals(((List<?>) n.get("partitions")).size(), ((Long) n.get("replicas")).intValue());
      assertEquals(true, n.get("reachable"));
      assertNull(n.get("error"));
    }
  }

  @Test
  void clusterPartitions_listsEveryPartitionWithItsRangeAndReplicasAndALeaderAmongThem() {
    CliRun r = eventuallyOk("cluster", "partitions");
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines.get(0).matches("PARTITION +HASH RANGE +REPLICAS +TERM +APPLIED +KEYS +BYTES"),
        r.describe());
    assertEquals(PARTITIONS + 1, lines.size(), r.describe());
    PartitionScheme scheme = PartitionScheme.of(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      String[] row = rows(r).get(p);
      assertEquals(Integer.toString(p), row[0], r.describe());
      assertEquals(HashRanges.format(scheme.range(p)), row[1], r.describe());
      List<String> replicas = List.of(row[2].split(","));
      assertEquals(3, replicas.size(), r.describe());
      assertEquals(1, replicas.stream().filter(x -> x.endsWith("*")).count(), r.describe());
      List<String> ids = replicas.stream().map(x -> x.replace("*", "")).toList();
      assertEquals(
          Set.of("a", "b", "c"),
          ids.stream().map(CliClusterIT::zone).collect(Collectors.toSet()),
          "one replica per zone: " + row[2]);
      assertTrue(Long.parseLong(row[3]) >= 1, r.describe());
      assertTrue(Long.parseLong(row[4]) >= 0, r.describe());
      assertTrue(Long.parseLong(row[5]) >= 0, r.describe());
      assertTrue(row[6].matches("\\d+ B|\\d+\\.\\d (KiB|MiB|GiB)"), r.describe());
    }
    assertEquals("", r.err());
  }

  @Test
  void clusterPartitionsJson_hasHexAndDecimalRangesReplicasAndTheLeadersCounters() {
    CliRun r = eventuallyOk("-o", "json", "cluster", "partitions");
    List<Map<String, Object>> partitions = JsonParser.parseArrayOfObjects(r.out());
    assertEquals(PARTITIONS, partitions.size());
    PartitionScheme scheme = PartitionScheme.of(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      Map<String, Object> j = partitions.get(p);
      assertEquals(
          List.of(
              "partition",
              "rangeStart",
              "rangeEnd",
              "rangeStartDecimal",
              "rangeEndDecimal",
              "replicas",
              "leader",
              "term",
              "applied",
              "keys",
              "bytes"),
          List.copyOf(j.keySet()));
      HashRange range = scheme.range(p);
      assertEquals((long) p, j.get("partition"));
      assertEquals(HashRanges.hex(range.startInclusive()), j.get("rangeStart"));
      assertEquals(HashRanges.hex(range.endInclusive()), j.get("rangeEnd"));
      assertEquals(Long.toUnsignedString(range.startInclusive()), j.get("rangeStartDecimal"));
      assertEquals(Long.toUnsignedString(range.endInclusive()), j.get("rangeEndDecimal"));
      assertTrue(((List<?>) j.get("replicas")).contains(j.get("leader")), j.toString());
      for (String counter : List.of("term", "applied", "keys", "bytes")) {
        assertTrue(j.get(counter) instanceof Long, counter + " in " + j);
      }
    }
    assertEquals(
        "18446744073709551615", partitions.get(PARTITIONS - 1).get("rangeEndDecimal"), "2^64 - 1");
  }

  @Test
  void locate_computesThePartitionClientSideAndNamesALeaderAmongTheReplicas() {
    byte[] key = "it/locate".getBytes(StandardCharsets.UTF_8);
    long hash = KeyHasher.hashKey(key);
    int partition = PartitionScheme.of(PARTITIONS).partitionOf(hash);
    CliRun r = eventuallyOk("locate", "it/locate");
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines.get(0).matches("PARTITION +HASH +HASH RANGE +REPLICAS +LEADER +LEADER ADDRESS"),
        r.describe());
    assertEquals(2, lines.size(), r.describe());
    String[] row = rows(r).get(0);
    assertEquals(Integer.toString(partition), row[0]);
    assertEquals(HashRanges.hex(hash), row[1]);
    assertEquals(HashRanges.format(PartitionScheme.of(PARTITIONS).range(partition)), row[2]);
    List<String> replicas = List.of(row[3].split(","));
    assertTrue(replicas.contains(row[4] + "*"), "the leader is the starred replica: " + row[3]);
    assertEquals(CLIENTS.get(Integer.parseInt(row[4].substring(1)) - 1), row[5], r.describe());

    // The replicas are those `cluster partitions` lists for that partition.
    CliRun partitions = eventuallyOk("-o", "json", "cluster", "partitions");
    assertEquals(
        replicas.stream().map(x -> x.replace("*", "")).toList(),
        JsonParser.parseArrayOfObjects(partitions.out()).get(partition).get("replicas"));
  }

  @Test
  void locate_hexKeysAndHashTagsAreHonoured() {
    byte[] binary = {0, (byte) 0xff};
    int expected = PartitionScheme.of(PARTITIONS).partitionOf(KeyHasher.hashKey(binary));
    CliRun hex = kv("-o", "json", "locate", "--hex", "00ff");
    assertEquals(expected, ((Long) JsonParser.parseObject(hex.out()).get("partition")).intValue());

    Object a =
        JsonParser.parseObject(kv("-o", "json", "locate", "cart:{u42}").out()).get("partition");
    Object b =
        JsonParser.parseObject(kv("-o", "json", "locate", "orders:{u42}").out()).get("partition");
    assertEquals(a, b, "keys with the same hash tag share a partition");
  }

  @Test
  void locateJson_hasTheKeyHashRangeReplicasAndLeader() {
    CliRun r = eventuallyOk("-o", "json", "locate", "it/locate-json");
    Map<String, Object> j = JsonParser.parseObject(r.out());
    assertEquals(
        List.of(
            "key",
            "partition",
            "hash",
            "hashDecimal",
            "rangeStart",
            "rangeEnd",
            "rangeStartDecimal",
            "rangeEndDecimal",
            "replicas",
            "leader",
            "leaderAddress",
            "mapEpoch",
            "partitionCount"),
        List.copyOf(j.keySet()));
    long hash = KeyHasher.hashKey("it/locate-json".getBytes(StandardCharsets.UTF_8));
    assertEquals("it/locate-json", j.get("key"));
    assertEquals(HashRanges.hex(hash), j.get("hash"));
    assertEquals(Long.toUnsignedString(hash), j.get("hashDecimal"));
    assertTrue(((List<?>) j.get("replicas")).contains(j.get("leader")), j.toString());
    assertEquals((long) PARTITIONS, j.get("partitionCount"));
  }

  @Test
  void locate_thePartitionItNamesIsTheOneWhoseKeyCountAPutOfTheKeyRaises() {
    String key = "it/locate-put/" + System.nanoTime();
    int partition =
        ((Long) JsonParser.parseObject(kv("-o", "json", "locate", key).out()).get("partition"))
            .intValue();
    long[] before = keyCounts(eventuallyOk("-o", "json", "cluster", "status"));
    assertEquals(0, kv("put", key, "v").exitCode());
    // Counts are per replica; the most advanced replica of a partition has every acknowledged put.
    CliRun after =
        eventually(
            () -> kv("-o", "json", "cluster", "status"),
            run -> run.exitCode() == 0 && keyCounts(run)[partition] == before[partition] + 1);
    long[] counts = keyCounts(after);
    assertEquals(before[partition] + 1, counts[partition], after.describe());
    for (int p = 0; p < PARTITIONS; p++) {
      if (p != partition) {
        assertEquals(before[p], counts[p], "partition " + p + " did not get the key");
      }
    }
  }

  /** The highest key count any replica reports, per partition, from {@code -o json} status. */
  @SuppressWarnings("unchecked")
  private static long[] keyCounts(CliRun status) {
    long[] counts = new long[PARTITIONS];
    for (Map<String, Object> node : JsonParser.parseArrayOfObjects(status.out())) {
      for (Map<String, Object> g : (List<Map<String, Object>>) node.get("groups")) {
        if (g.get("partition") instanceof Long p) {
          counts[p.intValue()] = Math.max(counts[p.intValue()], (Long) g.get("keyCount"));
        }
      }
    }
    return counts;
  }
}
