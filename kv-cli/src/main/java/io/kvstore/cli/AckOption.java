package io.kvstore.cli;

import picocli.CommandLine.Option;

/** The {@code --ack} option of put and del: when a write counts as done. */
final class AckOption {
  /** The acknowledgement levels of {@code kv.proto}'s Ack. */
  enum Level {
    majority,
    all
  }

  @Option(
      names = "--ack",
      paramLabel = "LEVEL",
      defaultValue = "majority",
      description =
          "majority (default): done when committed on a majority of replicas; all: also wait "
              + "until every replica applied it (if that takes longer than the request timeout "
              + "the write is still committed, and the output says so).")
  Level level = Level.majority;

  boolean all() {
    return level == Level.all;
  }

  /** What put and del append to their output when --ack all did not reach every replica. */
  static final String NOT_ON_ALL = " (committed; not yet applied on every replica)";
}
