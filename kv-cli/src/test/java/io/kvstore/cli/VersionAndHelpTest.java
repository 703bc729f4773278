package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionAndHelpTest {

  @Test
  void version_printsKvVersionAndJavaRuntime() {
    CliRun r = run("--version");
    assertEquals(0, r.exitCode(), r.describe());
    List<String> lines = r.out().lines().toList();
    // From the build (manifest in the jar, filtered version.properties in tests), never "unknown".
    assertTrue(lines.get(0).matches("kv \\d+\\.\\d+\\.\\d+.*"), r.describe());
    assertTrue(lines.get(1).startsWith("Java " + Runtime.version().feature()), r.describe());
    assertEquals("", r.err());
  }

  @Test
  void help_documentsEveryExitCode() {
    CliRun r = run("--help");
    assertEquals(0, r.exitCode(), r.describe());
    assertTrue(r.out().contains("Exit codes:"), r.out());
    for (String code :
        List.of(
            "0   ok",
            "1   key not found",
            "2   usage or invalid input",
            "3   unavailable or timeout",
            "4   other error")) {
      assertTrue(r.out().contains(code), "missing '" + code + "' in:\n" + r.out());
    }
  }

  @Test
  void help_listsCommandsButHidesCompletionAndLimits() {
    String help = run("--help").out();
    for (String command : List.of("start", "put", "get", "del, delete", "locate", "cluster")) {
      assertTrue(help.contains("  " + command + " "), "missing " + command + " in:\n" + help);
    }
    assertFalse(help.contains("generate-completion"), help);
    assertFalse(run("put", "--help").out().contains("--max-value-bytes"));
  }

  @Test
  void subcommandHelp_showsInheritedOptions() {
    CliRun r = run("get", "--help");
    assertEquals(0, r.exitCode(), r.describe());
    assertTrue(r.out().startsWith("Usage: kv get "), r.out());
    assertTrue(r.out().contains("--endpoints"), r.out());
    assertTrue(r.out().contains("--hex"), r.out());
  }

  @Test
  void generateCompletion_printsABashScriptForKv() {
    CliRun r = run("generate-completion");
    assertEquals(0, r.exitCode(), r.describe());
    assertTrue(
        r.out().contains("complete -F _complete_kv"), r.out().lines().limit(5).toList().toString());
  }

  @Test
  void clusterHelp_listsStatusNodesAndPartitions() {
    String help = run("cluster", "--help").out();
    for (String command : List.of("status", "nodes", "partitions")) {
      assertTrue(help.contains("  " + command + " "), "missing " + command + " in:\n" + help);
    }
    assertTrue(run("cluster", "status", "--help").out().contains("--all, --partitions"));
  }
}
