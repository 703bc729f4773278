package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.CliRun.withStdin;
import static io.kvstore.cli.Expect.oneLineError;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys and values are checked before any request: every case here uses an endpoint where nothing
 * could answer, and a long timeout, so reaching the network would show up as exit 3 (or a hang)
 * instead of the expected exit 2.
 */
class InputValidationTest {
  /** Never contacted: validation fails first. */
  private static final String[] NOWHERE = {"--endpoints", "127.0.0.1:1", "--timeout", "1m"};

  private static String[] args(String... rest) {
    String[] all = new String[NOWHERE.length + rest.length];
    System.arraycopy(NOWHERE, 0, all, 0, NOWHERE.length);
    System.arraycopy(rest, 0, all, NOWHERE.length, rest.length);
    return all;
  }

  @Test
  void put_emptyKeyExitsTwoWithOneLineError() {
    oneLineError(run(args("put", "", "v")), 2, "key is empty; keys must be 1..1024 bytes");
  }

  @Test
  void put_oversizedKeyExitsTwoNamingSizeAndLimit() {
    oneLineError(
        run(args("put", "k".repeat(1500), "v")), 2, "key is 1500 bytes; the limit is 1024");
  }

  @Test
  void put_keySizeIsCountedInUtf8Bytes() {
    // 600 characters, 1200 bytes: the limit is on bytes, as on the server.
    oneLineError(run(args("put", "é".repeat(600), "v")), 2, "key is 1200 bytes; the limit is 1024");
  }

  @Test
  void get_oversizedKeyExitsTwo() {
    oneLineError(run(args("get", "k".repeat(1025))), 2, "key is 1025 bytes; the limit is 1024");
  }

  @Test
  void delete_aliasChecksKeyLikeDel() {
    oneLineError(run(args("delete", "")), 2, "key is empty; keys must be 1..1024 bytes");
    oneLineError(run(args("del", "")), 2, "key is empty; keys must be 1..1024 bytes");
  }

  @Test
  void put_oversizedValueArgumentExitsTwo() {
    oneLineError(
        run(args("put", "k", "v".repeat((1 << 20) + 1))),
        2,
        "value is 1048577 bytes; the limit is 1048576");
  }

  @Test
  void put_hiddenLimitOptionsOverrideTheDefaults() {
    oneLineError(
        run(args("--max-key-bytes", "4", "put", "abcde", "v")),
        2,
        "key is 5 bytes; the limit is 4");
    oneLineError(
        run(args("--max-value-bytes", "3", "put", "k", "abcd")),
        2,
        "value is 4 bytes; the limit is 3");
  }

  @Test
  void put_oversizedValueOnStdinExitsTwo() {
    oneLineError(
        withStdin(new byte[11], args("--max-value-bytes", "10", "put", "k")),
        2,
        "value on stdin is more than 10 bytes; the limit is 10");
    oneLineError(
        withStdin(new byte[11], args("--max-value-bytes", "10", "put", "k", "-")),
        2,
        "value on stdin is more than 10 bytes; the limit is 10");
  }

  @Test
  void put_oversizedValueFileExitsTwo(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("v.bin"), new byte[11]);
    oneLineError(
        run(args("--max-value-bytes", "10", "put", "k", "--file", file.toString())),
        2,
        "value is 11 bytes; the limit is 10");
  }

  @Test
  void put_missingValueFileExitsTwo(@TempDir Path dir) {
    Path file = dir.resolve("missing.bin");
    oneLineError(run(args("put", "k", "--file", file.toString())), 2, "file not found: " + file);
  }

  @Test
  void put_valueAndFileTogetherExitsTwo(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("v.bin"), new byte[1]);
    oneLineError(
        run(args("put", "k", "v", "--file", file.toString())),
        2,
        "give either VALUE or --file, not both");
  }

  @Test
  void put_withoutValueOnATerminalExitsTwoInsteadOfWaitingForInput() {
    oneLineError(
        run(args("put", "k")),
        2,
        "no VALUE given: pass it as an argument, with --file PATH, or on stdin");
  }

  @Test
  void put_invalidHexKeyExitsTwo() {
    oneLineErrorContaining(run(args("put", "--hex", "zz", "00")), 2, "KEY is not valid hex");
  }

  @Test
  void put_invalidBase64ValueExitsTwo() {
    oneLineErrorContaining(
        run(args("put", "--base64", "aGk=", "!!")), 2, "VALUE is not valid base64");
  }

  @Test
  void put_hexAndBase64TogetherExitsTwo() {
    oneLineError(
        run(args("put", "--hex", "--base64", "00", "00")),
        2,
        "--hex and --base64 cannot be used together");
  }

  @Test
  void put_hexDecodedEmptyKeyIsStillEmpty() {
    oneLineError(
        run(args("put", "--hex", "", "00")), 2, "key is empty; keys must be 1..1024 bytes");
  }

  @Test
  void put_keyOfExactlyTheLimitIsSent() {
    // Passes validation, so the request is attempted and fails as unavailable (exit 3).
    CliRun r =
        run(
            "--endpoints",
            "127.0.0.1:1",
            "--timeout",
            "200ms",
            "put",
            "k".repeat(1024),
            "v".repeat(1 << 20));
    assertEquals(3, r.exitCode(), r.describe());
  }

  @Test
  void locate_checksTheKeyLikeGetBeforeAskingForTheMap() {
    oneLineError(run(args("locate", "")), 2, "key is empty; keys must be 1..1024 bytes");
    oneLineErrorContaining(run(args("locate", "--hex", "zz")), 2, "KEY is not valid hex");
    oneLineErrorContaining(
        run(args("locate", "--hex", "--base64", "00")),
        2,
        "--hex and --base64 cannot be used together");
  }
}
