package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.PutResult;
import io.kvstore.client.WriteOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv put KEY [VALUE]}: writes a key and prints its new version. The value comes from the
 * argument, from {@code --file}, or from stdin ({@code -}, or no VALUE with stdin redirected); file
 * and stdin contents are taken as raw bytes, --hex/--base64 only decode arguments.
 *
 * <p>{@code --if-absent} / {@code --if-version V} make it a compare-and-set: when the key's version
 * is not the required one nothing changes, stderr says what the version is and the exit code is
 * {@link ExitCodes#CONDITION_FAILED}.
 */
@Command(
    name = "put",
    description = {
      "Set KEY to VALUE and print the key's new version.",
      "With --if-absent or --if-version, only if the key's version is as required; "
          + "otherwise nothing changes and the exit code is 5."
    })
final class PutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (1..1024 bytes).")
  String key;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "VALUE",
      description =
          "The value (at most 1 MiB). '-' or omitted: read stdin when it is not a " + "terminal.")
  String value;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "PATH",
      description = "Read the value from this file (raw bytes).")
  Path file;

  @Option(
      names = "--if-absent",
      description = "Only if KEY does not exist (else exit 5: key exists).")
  boolean ifAbsent;

  @Option(
      names = "--if-version",
      paramLabel = "V",
      description =
          "Only if KEY's version is V, the version a previous put or get reported (else exit 5 "
              + "with the current version).")
  Long ifVersion;

  @Mixin AckOption ack;

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    Limits limits = kv.limits();
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    limits.checkKey(keyBytes);
    WriteOptions options = writeOptions();
    byte[] valueBytes = readValue(kv.streams(), encoding, limits);

    PutResult result;
    try (KvClient client = kv.openClient()) {
      result = client.put(keyBytes, valueBytes, options);
    }
    if (!result.applied()) {
      return conditionFailed(
          spec,
          ifAbsent
              ? "key exists (version " + result.currentVersion() + ")"
              : currentVersion(result.currentVersion()));
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      encoding.putJson(json, "key", keyBytes);
      json.put("version", result.version());
      if (ack.all()) {
        json.put("onAllReplicas", result.onAllReplicas());
      }
      out.println(Json.render(json));
    } else {
      out.println(
          "OK version=" + result.version() + (result.onAllReplicas() ? "" : AckOption.NOT_ON_ALL));
    }
    out.flush();
    return ExitCodes.OK;
  }

  private WriteOptions writeOptions() {
    if (ifAbsent && ifVersion != null) {
      throw new InputException("give either --if-absent or --if-version, not both");
    }
    if (ifVersion != null && ifVersion < 1) {
      throw new InputException(
          "--if-version must be at least 1 (versions start at 1); for a key that must not exist "
              + "use --if-absent");
    }
    WriteOptions options = new WriteOptions(ifAbsent, ifVersion == null ? 0 : ifVersion, false);
    return ack.all() ? options.withAckAll() : options;
  }

  /** "current version N", saying so when N is 0: the key does not exist. */
  static String currentVersion(long version) {
    return "current version " + version + (version == 0 ? " (no such key)" : "");
  }

  /** Reports a failed condition: one line on stderr, nothing on stdout, exit 5. */
  static int conditionFailed(CommandSpec spec, String why) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("kv: condition failed: " + why);
    err.flush();
    return ExitCodes.CONDITION_FAILED;
  }

  private byte[] readValue(Streams streams, BinaryEncoding encoding, Limits limits)
      throws IOException {
    if (file != null) {
      if (value != null) {
        throw new InputException("give either VALUE or --file, not both");
      }
      return readFile(limits);
    }
    if (value != null && !value.equals("-")) {
      byte[] bytes = encoding.decode(value, "VALUE");
      limits.checkValue(bytes.length);
      return bytes;
    }
    // An explicit '-' reads stdin even from a terminal; a missing VALUE would otherwise hang
    // waiting for typing that the user did not intend.
    if (value == null && streams.inIsTerminal()) {
      throw new InputException(
          "no VALUE given: pass it as an argument, with --file PATH, or on " + "stdin");
    }
    int cap = (int) Math.min(limits.maxValueBytes() + 1L, Integer.MAX_VALUE - 8);
    byte[] bytes = streams.in().readNBytes(cap);
    if (bytes.length > limits.maxValueBytes()) {
      throw new InputException(
          "value on stdin is more than "
              + limits.maxValueBytes()
              + " bytes; the limit is "
              + limits.maxValueBytes());
    }
    return bytes;
  }

  private byte[] readFile(Limits limits) {
    try {
      // Size first, so an oversized file is refused without being read into memory.
      limits.checkValue(Files.size(file));
      byte[] bytes = Files.readAllBytes(file);
      limits.checkValue(bytes.length);
      return bytes;
    } catch (NoSuchFileException e) {
      throw new InputException("file not found: " + file);
    } catch (IOException e) {
      throw new InputException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
