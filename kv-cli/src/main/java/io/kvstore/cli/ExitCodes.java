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

  /**
   * Cluster unreachable, no leader, request timed out; the cluster commands and locate also when a
   * node is unreachable or a group unhealthy or leaderless (after printing what they could).
   */
  static final int UNAVAILABLE = 3;

  /**
   * Anything else, including node start failures (port in use, unwritable data dir) and a cluster
   * map this client cannot use (unknown key hash).
   */
  static final int ERROR = 4;

  /**
   * A conditional write did not apply ({@code put --if-absent/--if-version}, {@code del
   * --if-version}): the key's version was not the one required. Nothing changed.
   */
  static final int CONDITION_FAILED = 5;

  /** {@code kv check} found replicas of a partition whose contents differ. */
  static final int DIVERGED = 6;

  private ExitCodes() {}
}
