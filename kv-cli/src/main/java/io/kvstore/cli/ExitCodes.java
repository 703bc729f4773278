package io.kvstore.cli;

/**
 * The process exit codes of {@code kv}. Scripts depend on them, so they are part of the interface:
 * keep them in sync with the exit-code list in {@link Kv}'s help and with kv-cli/README.md.
 */
final class ExitCodes {
  static final int OK = 0;

  /** get/del of a key that does not exist. */
  static final int NOT_FOUND = 1;

  /** Bad option, empty or oversized key, oversized value, malformed config. */
  static final int USAGE = 2;

  /** Cluster unreachable, no leader, request timed out, node unhealthy. */
  static final int UNAVAILABLE = 3;

  /** Anything else, including node start failures (port in use, unwritable data dir). */
  static final int ERROR = 4;

  private ExitCodes() {}
}
