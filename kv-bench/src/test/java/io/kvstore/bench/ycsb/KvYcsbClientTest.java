package io.kvstore.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/** The binding against three real nodes (Ratis over gRPC, MapDB, fsync) in this JVM. */
class KvYcsbClientTest {
  @TempDir static Path root;
  private static final List<KvNode> nodes = new ArrayList<>();
  private static String endpoints;

  @BeforeAll
  static void startCluster() throws IOException {
    String subnet = "127.0.214.";
    int base = (int) (ProcessHandle.current().pid() % 200) + 20;
    List<String> members = new ArrayList<>();
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String host = subnet + (base + i);
      int raft = freePort(host);
      int client = freePort(host);
      members.add("n" + (i + 1) + ":" + host + ":" + raft + ":" + client);
      clients.add(host + ":" + client);
    }
    endpoints = String.join(",", clients);
    for (int i = 0; i < 3; i++) {
      Properties p = new Properties();
      p.setProperty("node.id", "n" + (i + 1));
      p.setProperty("node.data-dir", root.resolve("n" + (i + 1)).toString());
      p.setProperty("cluster.members", String.join(",", members));
      p.setProperty("cluster.partitions", "4");
      p.setProperty("raft.election-timeout-min-ms", "500");
      p.setProperty("raft.election-timeout-max-ms", "1000");
      nodes.add(KvNode.start(NodeConfig.fromProperties(p)));
    }
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(KvNode::close);
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }

  private static Properties props() {
    Properties p = new Properties();
    p.setProperty("kv.endpoints", endpoints);
    p.setProperty("kv.timeout-ms", "30000");
    p.setProperty("fieldcount", "3");
    p.setProperty("fieldlength", "10");
    return p;
  }

  private static KvYcsbClient open() throws DBException {
    KvYcsbClient db = new KvYcsbClient();
    db.setProperties(props());
    db.init();
    return db;
  }

  private static Map<String, ByteIterator> fields(String... nameValue) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], nameValue[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(m);
  }

  private static Map<String, String> strings(Map<String, ByteIterator> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  @Test
  void crudAndScan() throws DBException {
    KvYcsbClient db = open();
    try {
      assertEquals(
          Status.OK, db.insert("usertable", "user1", fields("f0", "a", "f1", "b", "f2", "c")));
      Map<String, ByteIterator> got = new HashMap<>();
      assertEquals(Status.OK, db.read("usertable", "user1", null, got));
      assertEquals(Map.of("f0", "a", "f1", "b", "f2", "c"), strings(got));

      got.clear();
      assertEquals(Status.OK, db.read("usertable", "user1", Set.of("f1"), got));
      assertEquals(Map.of("f1", "b"), strings(got));

      // Fewer fields than fieldcount: merged into the stored record by compare-and-set.
      assertEquals(Status.OK, db.update("usertable", "user1", fields("f1", "B")));
      got.clear();
      assertEquals(Status.OK, db.read("usertable", "user1", null, got));
      assertEquals(Map.of("f0", "a", "f1", "B", "f2", "c"), strings(got));

      // Scan: key order from the start key, within the table only.
      for (String k : List.of("user2", "user3", "user0")) {
        assertEquals(Status.OK, db.insert("usertable", k, fields("f0", k)));
      }
      assertEquals(Status.OK, db.insert("usertablf", "user4", fields("f0", "x")));
      assertEquals(Status.OK, db.insert("other", "user5", fields("f0", "y")));
      Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
      assertEquals(Status.OK, db.scan("usertable", "user1", 10, Set.of("f0"), rows));
      List<String> f0 = rows.stream().map(r -> r.get("f0").toString()).toList();
      assertEquals(List.of("a", "user2", "user3"), f0);

      assertEquals(Status.OK, db.delete("usertable", "user1"));
      assertEquals(Status.NOT_FOUND, db.read("usertable", "user1", null, new HashMap<>()));
    } finally {
      db.cleanup();
    }
  }

  @Test
  void coreWorkloadLoadsAndRuns() throws Exception {
    Properties p = props();
    p.setProperty("recordcount", "20");
    p.setProperty("operationcount", "40");
    p.setProperty("readproportion", "0.5");
    p.setProperty("updateproportion", "0.5");
    p.setProperty("requestdistribution", "zipfian");
    p.setProperty("table", "wl");
    Measurements.setProperties(p);
    CoreWorkload workload = new CoreWorkload();
    workload.init(p);
    KvYcsbClient db = new KvYcsbClient();
    db.setProperties(p);
    db.init();
    try {
      Object state = workload.initThread(p, 0, 1);
      for (int i = 0; i < 20; i++) {
        assertTrue(workload.doInsert(db, state), "insert " + i);
      }
      for (int i = 0; i < 40; i++) {
        assertTrue(workload.doTransaction(db, state), "transaction " + i);
      }
      Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
      assertEquals(Status.OK, db.scan("wl", "", 100, null, rows));
      assertEquals(20, rows.size());
      rows.forEach(r -> assertEquals(Set.of("field0", "field1", "field2"), r.keySet()));
    } finally {
      db.cleanup();
      workload.cleanup();
    }
  }

  @Test
  void fieldCodecRoundTripsAndRejectsGarbage() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("name", "value".getBytes(StandardCharsets.UTF_8));
    m.put("", new byte[0]);
    Map<String, byte[]> back = FieldCodec.decode(FieldCodec.encode(m));
    assertEquals(m.keySet(), back.keySet());
    assertArrayEquals(m.get("name"), back.get("name"));
    assertThrows(IllegalArgumentException.class, () -> FieldCodec.decode(new byte[] {0, 0, 0, 5}));
    assertThrows(IllegalArgumentException.class, () -> FieldCodec.decode(new byte[] {1}));
  }

  @Test
  void badPropertiesAreRejected() {
    KvYcsbClient db = new KvYcsbClient();
    Properties p = props();
    p.setProperty("kv.read-consistency", "eventual");
    db.setProperties(p);
    DBException e = assertThrows(DBException.class, db::init);
    assertTrue(e.getMessage().contains("kv.read-consistency"), e.getMessage());
  }
}
