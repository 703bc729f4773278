package io.kvstore.cli;

import io.kvstore.client.KvClient;
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
 */
@Command(name = "put", description = "Set KEY to VALUE and print the key's new version.")
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

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    Limits limits = kv.limits();
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    limits.checkKey(keyBytes);
    byte[] valueBytes = readValue(kv.streams(), encoding, limits);

    long version;
    try (KvClient client = kv.openClient()) {
      version = client.put(keyBytes, valueBytes);
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      encoding.putJson(json, "key", keyBytes);
      json.put("version", version);
      out.println(Json.render(json));
    } else {
      out.println("OK version=" + version);
    }
    out.flush();
    return ExitCodes.OK;
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
