package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.CliRun.withStdin;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real three-node cluster (Ratis over gRPC, MapDB, fsync) in this JVM, each node
 * on its own loopback address with free ports. Every command gets a generous --timeout, so the
 * first request doubles as the wait for a leader: no sleeps.
 */
class CliClusterIT {
  private static final int NODES = 3;
  private static final List<KvNode> RUNNING = new ArrayList<>();
  private static String endpoints;

  @TempDir static Path root;

  @BeforeAll
  static void startCluster() throws IOException {
    // 127.0.200.x: away from the local cluster (127.0.0.1-3) and kv-raft's test clusters.
    int base = (int) (ProcessHandle.current().pid() % 200) + 20;
    List<String> hosts = new ArrayList<>();
    List<String> members = new ArrayList<>();
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      String host = "127.0.200." + (base + i);
      hosts.add(host);
      int raft = freePort(host);
      int client = freePort(host);
      members.add("n" + (i + 1) + ":" + host + ":" + raft + ":" + client);
      clients.add(host + ":" + client);
    }
    endpoints = String.join(",", clients);
    for (int i = 0; i < NODES; i++) {
      Properties p = new Properties();
      p.setProperty("node.id", "n" + (i + 1));
      p.setProperty("node.data-dir", root.resolve("n" + (i + 1)).toString());
      p.setProperty("cluster.members", String.join(",", members));
      p.setProperty("raft.election-timeout-min-ms", "500");
      p.setProperty("raft.election-timeout-max-ms", "1000");
      RUNNING.add(KvNode.start(NodeConfig.fromProperties(p)));
    }
  }

  @AfterAll
  static void stopCluster() {
    RUNNING.forEach(KvNode::close);
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
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

  @Test
  void clusterStatus_showsEveryNodeHealthyWithOneLeaderAndExitsZero() {
    kv("put", "it/status", "x");
    CliRun r = kv("cluster", "status");
    assertEquals(0, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(NODES + 1, lines.size(), r.describe());
    assertTrue(
        lines.get(0).matches("NODE +ADDRESS +ROLE +TERM +COMMIT +APPLIED +LEADER +HEALTHY"),
        r.describe());
    assertEquals(
        1, lines.stream().skip(1).filter(l -> l.contains(" LEADER ")).count(), r.describe());
    for (int i = 1; i <= NODES; i++) {
      assertTrue(lines.get(i).startsWith("n" + i + " "), r.describe());
      assertTrue(lines.get(i).endsWith(" true"), r.describe());
    }
    assertEquals("", r.err());

    CliRun json = kv("-o", "json", "cluster", "status");
    assertEquals(0, json.exitCode(), json.describe());
    assertEquals(NODES, json.out().split("\"healthy\":true").length - 1, json.describe());
  }

  @Test
  void clusterStatus_withOneEndpointDownExitsThreeButShowsTheOthers() throws IOException {
    String down = "127.0.0.1:" + freePort("127.0.0.1");
    CliRun r = run("--endpoints", endpoints + "," + down, "--timeout", "30s", "cluster", "status");
    assertEquals(3, r.exitCode(), r.describe());
    assertEquals(NODES, r.out().lines().filter(l -> l.contains(" true")).count(), r.describe());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("-") && l.contains(down)), r.describe());
    assertEquals(
        List.of("kv: 1 of " + (NODES + 1) + " nodes unreachable or unhealthy"), r.errLines());
  }
}
