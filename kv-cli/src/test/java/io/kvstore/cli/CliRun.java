package io.kvstore.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the CLI in-process, as {@link Kv#main} would but without exiting, capturing stdout, stderr
 * and the raw byte stream {@code get} writes values to.
 */
record CliRun(int exitCode, String out, String err, byte[] raw) {

  static CliRun run(String... args) {
    return withStdin(null, args);
  }

  /** Runs with {@code stdin} piped in; null means stdin is an interactive terminal. */
  static CliRun withStdin(byte[] stdin, String... args) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    Streams streams =
        new Streams(
            new ByteArrayInputStream(stdin == null ? new byte[0] : stdin),
            raw,
            stdin == null,
            false);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Kv.newCommandLine(new Kv(streams))
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString(), raw.toByteArray());
  }

  List<String> errLines() {
    return err.lines().toList();
  }

  String rawText() {
    return new String(raw, StandardCharsets.UTF_8);
  }

  /** For assertion messages: everything the run printed. */
  String describe() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
