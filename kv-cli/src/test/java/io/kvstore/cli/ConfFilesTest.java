package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.raft.server.Member;
import io.kvstore.raft.server.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped conf/nodeN.properties load (unknown keys would be refused) and agree. */
class ConfFilesTest {
  /** Tests run in kv-cli/; conf/ is at the repository root. */
  private static final Path CONF = Path.of("..", "conf");

  @Test
  void nodeConfigs_loadAndDescribeTheLocalThreeNodeCluster() {
    for (int n = 1; n <= 3; n++) {
      NodeConfig c = NodeConfig.load(CONF.resolve("node" + n + ".properties"));
      assertEquals("n" + n, c.nodeId());
      assertEquals(Path.of("data", "n" + n), c.dataDir());
      assertEquals(
          List.of(
              new Member("n1", "127.0.0.1", 9860, 9870, "a", 1),
              new Member("n2", "127.0.0.2", 9860, 9870, "b", 1),
              new Member("n3", "127.0.0.3", 9860, 9870, "c", 1)),
          c.members());
      assertEquals(16, c.partitions());
      assertEquals(3, c.replicationFactor());
      assertEquals(1024, c.maxKeyBytes());
      assertEquals(Limits.DEFAULT_MAX_VALUE_BYTES, c.maxValueBytes());
      assertTrue(c.ratisOverrides().isEmpty());
    }
  }

  @Test
  void cliDefaultEndpoints_areTheLocalClusterClientPorts() {
    NodeConfig c = NodeConfig.load(CONF.resolve("node1.properties"));
    assertEquals(
        Kv.DEFAULT_ENDPOINTS,
        String.join(",", c.members().stream().map(Member::clientAddress).toList()));
  }

  @Test
  void logbackConfigs_exist() throws IOException {
    assertTrue(Files.readString(CONF.resolve("logback.xml")).contains("org.apache.ratis"));
    assertTrue(Files.readString(CONF.resolve("logback-cli.xml")).contains("level=\"WARN\""));
  }
}
