package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's error contract as assertions: exit code, and exactly one {@code kv: } line. */
final class Expect {
  private Expect() {}

  /** Exit {@code code}, stderr exactly {@code "kv: " + message}, nothing on stdout. */
  static void oneLineError(CliRun run, int code, String message) {
    oneLineErrorContaining(run, code, message);
    assertEquals("kv: " + message, run.errLines().get(0), run.describe());
  }

  /** Exit {@code code}, stderr one {@code kv: } line containing {@code fragment}, no stdout. */
  static void oneLineErrorContaining(CliRun run, int code, String fragment) {
    assertEquals(code, run.exitCode(), run.describe());
    assertEquals(1, run.errLines().size(), "stderr must be one line: " + run.describe());
    String line = run.errLines().get(0);
    assertTrue(line.startsWith("kv: "), run.describe());
    assertTrue(line.contains(fragment), "expected '" + fragment + "' in: " + run.describe());
    assertEquals("", run.out(), run.describe());
    assertEquals(0, run.raw().length, run.describe());
  }
}
