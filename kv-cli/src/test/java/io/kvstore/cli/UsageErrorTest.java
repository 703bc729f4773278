package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Command-line mistakes exit 2 with one line that says what was wrong and where to look. */
class UsageErrorTest {

  @Test
  void unknownOption_exitsTwoWithOneLinePointingAtHelp() {
    oneLineError(run("--bogus"), 2, "Unknown option: '--bogus' (see 'kv --help')");
    oneLineError(
        run("put", "--bogus", "k", "v"), 2, "Unknown option: '--bogus' (see 'kv put --help')");
  }

  @Test
  void unknownCommand_namesTheTypoAndSuggestsTheCommand() {
    oneLineError(
        run("gett", "k"),
        2,
        "unknown command 'gett'; did you mean get or delete? (see 'kv --help')");
    oneLineErrorContaining(run("cluster", "stat"), 2, "unknown command 'stat'");
    oneLineErrorContaining(run("cluster", "partition"), 2, "did you mean partitions?");
  }

  @Test
  void put_malformedEndpointsExitsTwoBeforeConnecting() {
    oneLineError(
        run("--endpoints", "localhost", "put", "k", "v"),
        2,
        "endpoint 'localhost' is not host:port");
    oneLineError(
        run("--endpoints", "127.0.0.1:9870,h:99999", "get", "k"),
        2,
        "endpoint 'h:99999' has an invalid port");
    oneLineError(
        run("--endpoints", "127.0.0.1:9870,,127.0.0.2:9870", "del", "k"),
        2,
        "endpoint '' is not host:port");
  }

  @Test
  void locate_withoutKeyExitsTwo() {
    oneLineErrorContaining(run("locate"), 2, "Missing required parameter: 'KEY'");
  }

  @Test
  void clusterStatus_malformedEndpointsExitsTwo() {
    oneLineError(run("-e", "nohost", "cluster", "status"), 2, "endpoint 'nohost' is not host:port");
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheSubcommand() {
    // Either position must reach the root's field, and a value given before the subcommand must
    // not be reset to the default while the subcommand is parsed.
    oneLineError(run("-e", "before", "put", "k", "v"), 2, "endpoint 'before' is not host:port");
    oneLineError(run("put", "-e", "after", "k", "v"), 2, "endpoint 'after' is not host:port");
    oneLineError(run("put", "k", "v", "--endpoints=last"), 2, "endpoint 'last' is not host:port");
  }

  @Test
  void malformedTimeout_exitsTwo() {
    oneLineErrorContaining(
        run("--timeout", "5x", "get", "k"), 2, "'5x' is not a duration like 500ms, 5s or 2m");
    oneLineErrorContaining(run("get", "--timeout", "0s", "k"), 2, "must be greater than zero");
  }

  @Test
  void unknownOutputFormat_exitsTwo() {
    oneLineErrorContaining(run("-o", "yaml", "get", "k"), 2, "Invalid value for option '--output'");
  }

  @Test
  void outputFormatIsCaseInsensitive() {
    // JSON accepted: the run gets as far as the key check.
    oneLineError(run("-o", "JSON", "get", ""), 2, "key is empty; keys must be 1..1024 bytes");
  }

  @Test
  void missingKey_exitsTwo() {
    oneLineErrorContaining(run("get"), 2, "Missing required parameter: 'KEY'");
  }

  @Test
  void noCommand_printsUsageToStderrAndExitsTwo() {
    CliRun r = run();
    assertEquals(2, r.exitCode(), r.describe());
    assertTrue(r.err().startsWith("Usage: kv "), r.describe());
    assertEquals("", r.out());
  }
}
