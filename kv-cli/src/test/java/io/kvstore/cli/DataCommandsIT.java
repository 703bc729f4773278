package io.kvstore.cli;

import static io.kvstore.cli.CliRun.withStdin;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * put/del conditions, get's consistency levels, txn and scan against a real three-node cluster in
 * this JVM (started the way {@link CliClusterIT} starts its nodes: loopback addresses of their own,
 * free ports), 4 partitions of 3 replicas. Every command gets a generous --timeout, so the first
 * request doubles as the wait for a leader; reads from followers poll with a deadline: no sleeps.
 */
class DataCommandsIT {
  private static final int NODES = 3;
  private static final int PARTITIONS = 4;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static InJvmTestCluster cluster;
  private static String endpoints;

  @TempDir static Path root;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = new InJvmTestCluster(root, "127.0.201.", NODES, PARTITIONS, i -> "");
    endpoints = cluster.endpoints;
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static CliRun kv(String... args) {
    return withStdin(null, withCluster(args));
  }

  private static CliRun kvWithStdin(String stdin, String... args) {
    return withStdin(stdin.getBytes(StandardCharsets.UTF_8), withCluster(args));
  }

  private static String[] withCluster(String... args) {
    return Stream.concat(Stream.of("--endpoints", endpoints, "--timeout", "30s"), Stream.of(args))
        .toArray(String[]::new);
  }

  /** Runs {@code command} until {@code done} holds or the deadline passes; the last run. */
  private static CliRun eventually(Supplier<CliRun> command, Predicate<CliRun> done) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    long pauseMs = 20;
    while (true) {
      CliRun r = command.get();
      if (done.test(r) || System.nanoTime() > deadline) {
        return r;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
      pauseMs = Math.min(pauseMs * 2, 500);
    }
  }

  /** The version from put's "OK version=N" (optionally with the --ack all note). */
  private static long version(CliRun put) {
    Matcher m = Pattern.compile("OK version=(\\d+)( \\(.*\\))?\n").matcher(put.out());
    assertTrue(m.matches(), put.describe());
    assertEquals(0, put.exitCode(), put.describe());
    return Long.parseLong(m.group(1));
  }

  private static long versionOf(String key) {
    CliRun r = kv("-o", "json", "get", key);
    assertEquals(0, r.exitCode(), r.describe());
    return (Long) JsonParser.parseObject(r.out()).get("version");
  }

  private static int partitionOf(String key) {
    return PartitionScheme.of(PARTITIONS)
        .partitionOf(KeyHasher.hashKey(key.getBytes(StandardCharsets.UTF_8)));
  }

  // ---- put/del conditions

  @Test
  void putIfAbsent_secondTimeExitsFiveWithTheExistingVersion() {
    long v = version(kv("put", "--if-absent", "cond/absent", "first"));
    CliRun second = kv("put", "--if-absent", "cond/absent", "second");
    oneLineError(second, 5, "condition failed: key exists (version " + v + ")");
    assertEquals("first", kv("get", "cond/absent").rawText(), "nothing changed");
  }

  @Test
  void putIfVersion_staleVersionExitsFiveThenTheCurrentOneApplies() {
    long v1 = version(kv("put", "cond/cas", "one"));
    long v2 = version(kv("put", "cond/cas", "two"));
    oneLineError(
        kv("put", "--if-version", Long.toString(v1), "cond/cas", "stale"),
        5,
        "condition failed: current version " + v2);
    assertEquals("two", kv("get", "cond/cas").rawText());

    long v3 = version(kv("put", "--if-version", Long.toString(v2), "cond/cas", "three"));
    assertTrue(v3 > v2);
    assertEquals("three", kv("get", "cond/cas").rawText());

    oneLineError(
        kv("put", "--if-version", "5", "cond/never-written", "x"),
        5,
        "condition failed: current version 0 (no such key)");
  }

  @Test
  void delIfVersion_staleExitsFiveRightOneDeletes() {
    long v1 = version(kv("put", "cond/del", "one"));
    long v2 = version(kv("put", "cond/del", "two"));
    oneLineError(
        kv("del", "--if-version", Long.toString(v1), "cond/del"),
        5,
        "condition failed: current version " + v2);
    assertEquals("two", kv("get", "cond/del").rawText());

    CliRun del = kv("-o", "json", "del", "--if-version", Long.toString(v2), "cond/del");
    assertEquals(0, del.exitCode(), del.describe());
    Map<String, Object> json = JsonParser.parseObject(del.out());
    assertEquals(true, json.get("deleted"));
    assertTrue((Long) json.get("version") > v2);
    oneLineError(kv("get", "cond/del"), 1, "key not found: cond/del");
    oneLineError(
        kv("del", "--if-version", Long.toString(v2), "cond/del"),
        5,
        "condition failed: current version 0 (no such key)");
  }

  @Test
  void ackAll_printsTheVersionAndWhetherEveryReplicaApplied() {
    CliRun put = kv("put", "--ack", "all", "cond/ack", "v");
    long v = version(put);
    assertTrue(
        put.out().equals("OK version=" + v + "\n")
            || put.out()
                .equals("OK version=" + v + " (committed; not yet applied on every replica)\n"),
        put.describe());
    CliRun json = kv("-o", "json", "put", "--ack", "ALL", "--if-version", "" + v, "cond/ack", "w");
    assertEquals(0, json.exitCode(), json.describe());
    assertTrue(JsonParser.parseObject(json.out()).get("onAllReplicas") instanceof Boolean);
    CliRun del = kv("del", "--ack", "all", "cond/ack");
    assertTrue(del.out().startsWith("deleted"), del.describe());
  }

  // ---- get --consistency

  @Test
  void get_everyConsistencyLevelReadsTheValue() {
    String key = "read/levels";
    long v = version(kv("put", key, "fresh"));
    assertEquals("fresh", kv("get", "--consistency", "linearizable", key).rawText());
    assertEquals("fresh", kv("get", "--consistency", "lease", key).rawText());
    assertEquals("fresh", kv("-o", "value", "get", key).rawText());
    // Followers may serve these; one that has not applied the put yet is allowed to be behind.
    for (String level : List.of("bounded", "bounded=5s", "bounded=5s,10", "any")) {
      CliRun r =
          eventually(
              () -> kv("-o", "json", "get", "--consistency", level, key),
              run -> run.exitCode() == 0 && run.out().contains("\"version\":" + v + ","));
      assertEquals(0, r.exitCode(), level + ": " + r.describe());
      assertEquals("fresh", JsonParser.parseObject(r.out()).get("value"), level);
    }
    oneLineError(kv("get", "--consistency", "any", "read/absent"), 1, "key not found: read/absent");
  }

  // ---- txn

  private static final String TRANSFER =
      """
      # compares: both balances as read
      version("{acct}/a") = %d
      version("{acct}/b") = %d
      value("{acct}/a") > "040"

      # success: move 40 from a to b
      put "{acct}/a" "060"
      put "{acct}/b" "040"
      get "{acct}/a"

      # failure: show a
      get "{acct}/a"
      """;

  @Test
  void txn_transferSucceedsOnceThenFailsWithTheSameVersionsChangingNothing() {
    long va = version(kv("put", "{acct}/a", "100"));
    long vb = version(kv("put", "{acct}/b", "000"));
    String transfer = String.format(TRANSFER, va, vb);

    CliRun ok = kvWithStdin(transfer, "txn");
    assertEquals(0, ok.exitCode(), ok.describe());
    List<String> lines = ok.out().lines().toList();
    assertEquals("SUCCEEDED", lines.get(0), ok.describe());
    assertTrue(lines.get(1).matches("OP +KEY +RESULT +VALUE +VERSION"), ok.describe());
    long vt = versionOf("{acct}/a");
    assertTrue(lines.get(2).matches("put +\\{acct\\}/a +OK +- +" + vt), ok.describe());
    assertTrue(lines.get(3).matches("put +\\{acct\\}/b +OK +- +" + vt), ok.describe());
    assertTrue(lines.get(4).matches("get +\\{acct\\}/a +found +060 +" + vt), ok.describe());
    assertEquals(5, lines.size(), ok.describe());
    assertEquals("", ok.err());
    assertEquals("060", kv("get", "{acct}/a").rawText());
    assertEquals("040", kv("get", "{acct}/b").rawText());
    assertEquals(vt, versionOf("{acct}/b"), "one log entry wrote both keys");

    // The same transaction again: its versions are stale now.
    CliRun failed = kvWithStdin(transfer, "txn");
    assertEquals(0, failed.exitCode(), failed.describe());
    List<String> f = failed.out().lines().toList();
    assertEquals("FAILED", f.get(0), failed.describe());
    assertTrue(f.get(2).matches("get +\\{acct\\}/a +found +060 +" + vt), failed.describe());
    assertEquals(3, f.size(), failed.describe());
    assertEquals("060", kv("get", "{acct}/a").rawText());
    assertEquals("040", kv("get", "{acct}/b").rawText());
    assertEquals(vt, versionOf("{acct}/a"), "nothing changed");
    assertEquals(vt, versionOf("{acct}/b"), "nothing changed");
  }

  @Test
  void txn_jsonFromAFileWithHexDeleteAndMissingKeys(@TempDir Path dir) throws IOException {
    version(kv("put", "{tx}/gone", "x"));
    Path file =
        Files.writeString(
            dir.resolve("t.txn"),
            """
            exists("{tx}/gone")
            !exists("{tx}/new")

            del "{tx}/gone"
            put "{tx}/new" x"00ff"
            get "{tx}/new"
            get "{tx}/missing"
            del "{tx}/missing"
            """);
    CliRun r = kv("-o", "json", "txn", "--file", file.toString());
    assertEquals(0, r.exitCode(), r.describe());
    Map<String, Object> json = JsonParser.parseObject(r.out());
    assertEquals(List.of("succeeded", "version", "results"), List.copyOf(json.keySet()));
    assertEquals(true, json.get("succeeded"));
    long v = (Long) json.get("version");
    assertEquals(
        List.of(
            Map.of("op", "del", "key", "{tx}/gone", "deleted", true),
            Map.of("op", "put", "key", "{tx}/new", "version", v),
            Map.of(
                "op",
                "get",
                "key",
                "{tx}/new",
                "found",
                true,
                "value",
                "AP8=",
                "valueEncoding",
                "base64",
                "version",
                v,
                "createVersion",
                v),
            Map.of("op", "get", "key", "{tx}/missing", "found", false),
            Map.of("op", "del", "key", "{tx}/missing", "deleted", false)),
        json.get("results"));
    oneLineError(kv("get", "{tx}/gone"), 1, "key not found: {tx}/gone");
    String hexKey = HexFormat.of().formatHex("{tx}/new".getBytes(StandardCharsets.UTF_8));
    assertEquals("00ff\n", kv("get", "--hex", hexKey).out());

    // The table shows binary values in the input syntax.
    // No compares: they all hold, so the success branch runs.
    CliRun table = kvWithStdin("\nget \"{tx}/new\"\n", "txn");
    assertEquals("SUCCEEDED", table.out().lines().findFirst().orElse(""), table.describe());
    assertTrue(table.out().contains("x\"00ff\""), table.describe());
  }

  @Test
  void txn_acrossPartitionsExitsTwoNamingThePartitions() {
    String a = "span/a";
    String b =
        IntStream.range(0, 100)
            .mapToObj(i -> "span/b" + i)
            .filter(k -> partitionOf(k) != partitionOf(a))
            .findFirst()
            .orElseThrow();
    int pa = partitionOf(a);
    int pb = partitionOf(b);
    assertNotEquals(pa, pb);
    CliRun r = kvWithStdin("\nput \"" + a + "\" \"1\"\nput \"" + b + "\" \"2\"\n", "txn");
    oneLineErrorContaining(
        r, 2, "transaction spans partitions [" + Math.min(pa, pb) + ", " + Math.max(pa, pb) + "]");
    oneLineError(kv("get", a), 1, "key not found: " + a);
  }

  // ---- scan

  @Test
  void scanPrefix_pagesThroughEveryKeyExactlyOnceWithAfter() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      keys.add(String.format("scan/k%02d", i));
    }
    for (String k : keys) {
      version(kv("put", k, "v-" + k));
    }
    // Neighbours that a prefix scan must leave out.
    version(kv("put", "scan", "no"));
    version(kv("put", "scan0", "no"));
    version(kv("put", "scam/z", "no"));

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    while (true) {
      List<String> args = new ArrayList<>(List.of("scan", "--prefix", "scan/", "--limit", "5"));
      if (after != null) {
        args.addAll(List.of("--after", after));
      }
      CliRun r = kv(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), r.describe());
      pages++;
      List<String> lines = r.out().lines().toList();
      assertTrue(lines.get(0).matches("KEY +VALUE +VERSION"), r.describe());
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(" {3,}");
        assertEquals("v-" + cells[0], cells[1], r.describe());
        seen.add(cells[0]);
      }
      if (r.err().isEmpty()) {
        break;
      }
      Matcher m = Pattern.compile("more: continue with --after (\\S+)\n").matcher(r.err());
      assertTrue(m.matches(), r.describe());
      after = m.group(1);
      assertEquals(seen.get(seen.size() - 1), after, "the last key shown");
      assertTrue(pages < 10, "runaway paging: " + seen);
    }
    assertEquals(keys, seen, "every key once, in order");
    assertEquals(5, pages, "23 keys in pages of 5");

    // The same through JSON's nextAfter, in pages of 10, and in plain output.
    List<Object> viaJson = new ArrayList<>();
    Object next = null;
    do {
      List<String> args =
          new ArrayList<>(List.of("-o", "json", "scan", "--prefix", "scan/", "--limit", "10"));
      if (next != null) {
        args.addAll(List.of("--after", (String) next));
      }
      CliRun r = kv(args.toArray(String[]::new));
      assertEquals("", r.err(), r.describe());
      Map<String, Object> page = JsonParser.parseObject(r.out());
      assertEquals(List.of("entries", "nextAfter"), List.copyOf(page.keySet()));
      for (Object e : (List<?>) page.get("entries")) {
        viaJson.add(((Map<?, ?>) e).get("key"));
      }
      next = page.get("nextAfter");
    } while (next != null);
    assertEquals(keys, viaJson);

    CliRun plain =
        kv(
            "-o",
            "plain",
            "scan",
            "--from",
            "scan/k05",
            "--to",
            "scan/k08",
            "--consistency",
            "lease");
    assertEquals(
        "scan/k05\tv-scan/k05\t"
            + versionOf("scan/k05")
            + "\n"
            + "scan/k06\tv-scan/k06\t"
            + versionOf("scan/k06")
            + "\n"
            + "scan/k07\tv-scan/k07\t"
            + versionOf("scan/k07")
            + "\n",
        plain.out(),
        plain.describe());
    CliRun range =
        kv("-o", "json", "scan", "--from", "scan/k05", "--to", "scan1", "--after", "scan/k20");
    List<?> rest = (List<?>) JsonParser.parseObject(range.out()).get("entries");
    assertEquals(
        List.of("scan/k21", "scan/k22", "scan0"),
        rest.stream().map(e -> ((Map<?, ?>) e).get("key")).toList(),
        range.describe());
    assertNull(JsonParser.parseObject(range.out()).get("nextAfter"));
  }

  @Test
  void benchLoad_writesEveryKeyThatBenchReadNames() {
    CliRun load =
        kv(
            "-o",
            "json",
            "bench",
            "load",
            "--bytes",
            "20400",
            "--value-size",
            "1004",
            "--key-size",
            "16",
            "--batch",
            "8",
            "--in-flight",
            "2",
            "--start-key",
            "7000");
    assertEquals(0, load.exitCode(), load.describe());
    Map<String, Object> r = JsonParser.parseObject(load.out());
    assertEquals(20L, ((Number) r.get("keys")).longValue(), load.describe());
    assertEquals(0L, ((Number) r.get("failedKeys")).longValue(), load.describe());
    assertEquals(true, r.get("complete"), load.describe());
    for (String key : List.of("k000000000007000", "k000000000007019")) {
      CliRun get = kv("-o", "json", "get", key);
      assertEquals(0, get.exitCode(), get.describe());
    }
    assertEquals(1, kv("get", "k000000000007020").exitCode());
  }
}
