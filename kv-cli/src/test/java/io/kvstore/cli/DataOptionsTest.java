package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.CliRun.withStdin;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.ReadOptions;
import io.kvstore.client.proto.Consistency;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/**
 * Options of get, put, del, txn and scan that are refused before anything is sent: exit 2 with one
 * line. No cluster is needed (the endpoint below is never contacted).
 */
class DataOptionsTest {
  /** Not contacted: every run here fails before the first request. */
  private static final String[] NOWHERE = {"--endpoints", "127.0.0.1:1", "--timeout", "1s"};

  private static String[] args(String... args) {
    String[] all = new String[NOWHERE.length + args.length];
    System.arraycopy(NOWHERE, 0, all, 0, NOWHERE.length);
    System.arraycopy(args, 0, all, NOWHERE.length, args.length);
    return all;
  }

  private static ReadOptions consistency(String text) {
    return new ConsistencyOption.Converter().convert(text);
  }

  @Test
  void consistency_parsesEveryLevelCaseInsensitively() {
    assertEquals(ReadOptions.LINEARIZABLE, consistency("linearizable"));
    assertEquals(ReadOptions.LEASE, consistency("LEASE"));
    assertEquals(ReadOptions.ANY, consistency("Any"));
    assertEquals(new ReadOptions(Consistency.BOUNDED, 1000, 0), consistency("bounded"));
    assertEquals(new ReadOptions(Consistency.BOUNDED, 500, 0), consistency("bounded=500ms"));
    assertEquals(new ReadOptions(Consistency.BOUNDED, 2000, 100), consistency("bounded=2s,100"));
    assertEquals(new ReadOptions(Consistency.BOUNDED, 60_000, 0), consistency("BOUNDED=1m,0"));
  }

  @Test
  void consistency_refusesEveryMalformedForm() {
    for (String bad :
        new String[] {
          "",
          "strong",
          "bounded=",
          "bounded=5x",
          "bounded=0s",
          "bounded=500ms,",
          "bounded=1s,-1",
          "bounded=1s,x",
          "bounded=1s,1,2",
          "lease=1s",
          "any=",
          "bounded=,5"
        }) {
      assertThrows(TypeConversionException.class, () -> consistency(bad), bad);
    }
  }

  @Test
  void badConsistency_exitsTwoWithOneLineOnGetAndScan() {
    oneLineError(
        run(args("get", "--consistency", "strong", "k")),
        2,
        "Invalid value for option '--consistency': 'strong' is not a consistency level; use "
            + "linearizable, lease, any, bounded or bounded=DURATION[,ENTRIES] (e.g. "
            + "bounded=500ms or bounded=2s,100) (see 'kv get --help')");
    oneLineErrorContaining(
        run(args("get", "--consistency", "bounded=5x", "k")),
        2,
        "'bounded=5x': '5x' is not a duration like 500ms, 5s or 2m");
    oneLineErrorContaining(
        run(args("get", "--consistency", "bounded=1s,many", "k")),
        2,
        "the entry lag 'many' is not a whole number of entries");
    oneLineErrorContaining(
        run(args("scan", "--prefix", "a", "--consistency", "lease=1s")),
        2,
        "'lease=1s': only bounded takes a staleness bound");
  }

  @Test
  void outputValue_isForGetOnly() {
    oneLineError(
        run(args("-o", "value", "put", "k", "v")),
        2,
        "-o value applies only to get; use table, json or plain (see 'kv put --help')");
    oneLineErrorContaining(
        run(args("scan", "--prefix", "a", "-o", "value")), 2, "-o value applies only to get");
    assertEquals(0, run("-o", "value", "txn", "--help").exitCode(), "help still works");
  }

  @Test
  void put_conditionsAreCheckedBeforeSending() {
    oneLineError(
        run(args("put", "--if-absent", "--if-version", "3", "k", "v")),
        2,
        "give either --if-absent or --if-version, not both");
    oneLineError(
        run(args("put", "--if-version", "0", "k", "v")),
        2,
        "--if-version must be at least 1 (versions start at 1); for a key that must not exist "
            + "use --if-absent");
    oneLineErrorContaining(
        run(args("put", "--if-version", "abc", "k", "v")),
        2,
        "Invalid value for option '--if-version': 'abc' is not a long");
    oneLineErrorContaining(
        run(args("put", "--ack", "some", "k", "v")),
        2,
        "Invalid value for option '--ack': expected one of [majority, all]");
    oneLineError(
        run(args("del", "--if-version", "0", "k")),
        2,
        "--if-version must be at least 1 (versions start at 1)");
  }

  @Test
  void scan_rangeOptionsAreChecked() {
    oneLineError(
        run(args("scan")),
        2,
        "give --prefix P (--prefix '' for every key) or --from A and/or --to B");
    oneLineError(
        run(args("scan", "--prefix", "a", "--from", "b")),
        2,
        "give --prefix or --from/--to, not both");
    oneLineError(
        run(args("scan", "--prefix", "a", "--limit", "0")), 2, "--limit must be 1..10000, not 0");
    oneLineError(
        run(args("scan", "--prefix", "a", "--limit", "10001")),
        2,
        "--limit must be 1..10000, not 10001");
    oneLineError(
        run(args("scan", "--from", "b", "--to", "a")),
        2,
        "--from must sort before --to (--to is exclusive)");
    oneLineError(
        run(args("scan", "--prefix", "a/", "--after", "b/1")),
        2,
        "--after must be a key with the prefix given by --prefix");
    oneLineErrorContaining(
        run(args("scan", "--hex", "--prefix", "zz")), 2, "--prefix is not valid hex");
  }

  @Test
  void txn_parseErrorsNameTheLineAndExitTwo() {
    byte[] text = "exists(\"a\")\n\nput \"a\" 1\n".getBytes(StandardCharsets.UTF_8);
    oneLineErrorContaining(withStdin(text, args("txn")), 2, "line 3: expected a quoted value");
    oneLineError(
        withStdin(new byte[] {'g', 'e', 't', ' ', '"', (byte) 0xff, '"'}, args("txn")),
        2,
        "the transaction is not valid UTF-8 text; write binary keys and values as x\"00ff\"");
    oneLineError(
        withStdin("\n\n".getBytes(StandardCharsets.UTF_8), args("txn")),
        2,
        "empty transaction: give compares and/or operations (see 'kv txn --help')");
  }

  @Test
  void txn_missingFileExitsTwo(@TempDir Path dir) {
    Path missing = dir.resolve("none.txn");
    oneLineError(run(args("txn", "--file", missing.toString())), 2, "file not found: " + missing);
  }

  @Test
  void help_listsTxnScanAndExitCodeFive() {
    String help = run("--help").out();
    assertTrue(help.contains("  txn "), help);
    assertTrue(help.contains("  scan "), help);
    assertTrue(help.contains("5   condition failed"), help);
    String put = run("put", "--help").out();
    for (String option : new String[] {"--if-absent", "--if-version=V", "--ack=LEVEL"}) {
      assertTrue(put.contains(option), option + " in:\n" + put);
    }
    assertTrue(run("get", "--help").out().contains("--consistency=LEVEL"));
  }
}
