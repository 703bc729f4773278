package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv start} failures a supervisor must tell apart: a bad config is exit 2, a node that
 * cannot start (port taken, unusable data dir) exit 4; both one line, no stack trace. None of these
 * cases gets as far as starting Raft.
 */
class StartCommandTest {
  @TempDir Path dir;

  /**
   * A config file of {@code lines}. The configs here have one member, so unless a line sets it,
   * cluster.replication-factor is 1 (the default, 3, needs three members).
   */
  private Path config(String... lines) throws IOException {
    String text = String.join("\n", lines) + "\n";
    if (!text.contains("cluster.replication-factor")) {
      text += "cluster.replication-factor=1\n";
    }
    return Files.writeString(dir.resolve("node.properties"), text);
  }

  @Test
  void start_missingConfigFileExitsTwoWithOneLine() {
    Path missing = dir.resolve("nope.properties");
    oneLineError(
        run("start", "--config", missing.toString()), 2, "config file not found: " + missing);
  }

  @Test
  void start_withoutConfigOptionExitsTwo() {
    oneLineErrorContaining(run("start"), 2, "Missing required option: '--config=FILE'");
  }

  @Test
  void start_unknownConfigKeyExitsTwo() throws IOException {
    Path file =
        config(
            "node.id=n1",
            "node.data-dir=" + dir.resolve("data"),
            "cluster.members=n1:127.0.0.1:1:2",
            "raft.election-timeout-ms=5");
    oneLineError(
        run("start", "-c", file.toString()), 2, "unknown config key 'raft.election-timeout-ms'");
  }

  @Test
  void start_malformedMembersExitsTwo() throws IOException {
    Path file =
        config(
            "node.id=n1",
            "node.data-dir=" + dir.resolve("data"),
            "cluster.members=n1:127.0.0.1:9860");
    oneLineError(
        run("start", "-c", file.toString()),
        2,
        "cluster.members entry 'n1:127.0.0.1:9860' is not"
            + " id:host:raftPort:clientPort[:zone[:weight]]");
  }

  @Test
  void start_moreReplicasThanMembersExitsTwo() throws IOException {
    Path file =
        config(
            "node.id=n1",
            "node.data-dir=" + dir.resolve("data"),
            "cluster.members=n1:127.0.0.1:1:2",
            "cluster.replication-factor=3");
    oneLineError(
        run("start", "-c", file.toString()),
        2,
        "cluster.replication-factor 3 needs at least 3 members; cluster.members lists 1");
  }

  @Test
  void start_outOfRangeValueExitsTwo() throws IOException {
    Path file =
        config(
            "node.id=n1",
            "node.data-dir=" + dir.resolve("data"),
            "cluster.members=n1:127.0.0.1:1:2",
            "limits.max-key-bytes=0");
    oneLineErrorContaining(
        run("start", "-c", file.toString()), 2, "config key 'limits.max-key-bytes': 0 is outside");
  }

  @Test
  void start_dataDirThatIsAFileExitsFour() throws IOException {
    Path notADir = Files.writeString(dir.resolve("data"), "x");
    Path file =
        config("node.id=n1", "node.data-dir=" + notADir, "cluster.members=n1:127.0.0.1:1:2");
    oneLineErrorContaining(run("start", "-c", file.toString()), 4, "data directory " + notADir);
  }

  @Test
  void start_portInUseExitsFourNamingTheAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      Path file =
          config(
              "node.id=n1",
              "node.data-dir=" + dir.resolve("data"),
              "cluster.members=n1:127.0.0.1:" + port + ":" + (port == 65535 ? 1 : port + 1));
      oneLineErrorContaining(
          run("start", "-c", file.toString()),
          4,
          "address 127.0.0.1:" + port + " is not available");
    }
  }
}
