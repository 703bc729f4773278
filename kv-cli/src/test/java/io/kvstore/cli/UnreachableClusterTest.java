package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No node answers: requests exit 3 with one line and no stack trace once --timeout has passed;
 * cluster status still prints a row per node.
 */
class UnreachableClusterTest {
  private static String endpoints;

  /** Ports that were free a moment ago: nothing listens on them. */
  @BeforeAll
  static void pickClosedPorts() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        sb.append(i == 0 ? "" : ",").append("127.0.0.1:").append(s.getLocalPort());
      }
    }
    endpoints = sb.toString();
  }

  @Test
  void put_unreachableClusterExitsThreeWithOneLineAndNoStackTrace() {
    oneLineErrorContaining(
        run("--endpoints", endpoints, "--timeout", "1s", "put", "k", "v"),
        3,
        "cluster unavailable");
  }

  @Test
  void get_unreachableClusterExitsThree() {
    CliRun r = run("get", "k", "--endpoints", endpoints, "--timeout", "1s");
    assertEquals(3, r.exitCode(), r.describe());
    assertEquals(1, r.errLines().size(), r.describe());
  }

  @Test
  void clusterStatus_unreachableNodesAreRowsWithHealthyFalseAndExitThree() {
    CliRun r = run("--endpoints", endpoints, "--timeout", "1s", "cluster", "status");
    assertEquals(3, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.describe());
    assertTrue(
        lines
            .get(0)
            .matches("NODE +ADDRESS +ZONE +GROUPS +LEADS +MAP EPOCH +HEALTHY +DISK +UPTIME +ERROR"),
        r.describe());
    for (int i = 0; i < 2; i++) {
      String endpoint = endpoints.split(",")[i];
      assertTrue(
          lines
              .get(i + 1)
              .matches(
                  "- +" + endpoint + " +- +- +- +- +false +- +- +" + endpoint + " unavailable.*"),
          r.describe());
    }
    assertEquals(List.of("kv: 2 of 2 nodes unreachable or unhealthy"), r.errLines());
  }

  @Test
  void clusterStatusPartitions_unreachableNodesAreOneRowEach() {
    CliRun r =
        run("--endpoints", endpoints, "--timeout", "1s", "cluster", "status", "--partitions");
    assertEquals(3, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.describe());
    assertTrue(
        lines
            .get(0)
            .matches(
                "NODE +ADDRESS +PARTITION +ROLE +TERM +COMMIT +APPLIED +LEADER +HEALTHY +ERROR"),
        r.describe());
  }

  @Test
  void clusterStatus_jsonIsAnArrayWithOneObjectPerUnreachableNode() {
    CliRun r = run("--endpoints", endpoints, "--timeout", "1s", "-o", "json", "cluster", "status");
    assertEquals(3, r.exitCode(), r.describe());
    List<Map<String, Object>> nodes = JsonParser.parseArrayOfObjects(r.out());
    assertEquals(2, nodes.size(), r.describe());
    for (int i = 0; i < 2; i++) {
      Map<String, Object> n = nodes.get(i);
      String endpoint = endpoints.split(",")[i];
      assertNull(n.get("node"));
      assertEquals(endpoint, n.get("address"));
      assertEquals(false, n.get("healthy"));
      assertEquals(List.of(), n.get("groups"));
      assertTrue(((String) n.get("error")).startsWith(endpoint + " unavailable"), r.describe());
    }
  }

  @Test
  void clusterNodesPartitionsAndLocate_needTheMapAndExitThreeWithOneLine() {
    for (String[] command :
        List.of(
            new String[] {"cluster", "nodes"},
            new String[] {"cluster", "partitions"},
            new String[] {"locate", "k"})) {
      String[] args =
          Stream.concat(Stream.of("--endpoints", endpoints, "--timeout", "1s"), Stream.of(command))
              .toArray(String[]::new);
      oneLineErrorContaining(run(args), 3, "cluster unavailable");
    }
  }
}
