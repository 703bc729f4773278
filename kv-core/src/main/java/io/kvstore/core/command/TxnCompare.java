package io.kvstore.core.command;

import java.util.Arrays;

/** Evaluates a transaction's compare against a key's current state (null when absent). */
final class TxnCompare {
  private TxnCompare() {}

  static boolean holds(Command.Compare c, VersionedValue current) {
    int order;
    switch (c.target()) {
      case VALUE -> {
        if (current == null) {
          return c.relation() == Command.Relation.NOT_EQUAL;
        }
        order = Arrays.compareUnsigned(current.value(), c.value());
      }
      case VERSION -> order = Long.compare(current == null ? 0 : current.version(), c.number());
      case CREATE_VERSION ->
          order = Long.compare(current == null ? 0 : current.createVersion(), c.number());
      case EXISTS -> order = Long.compare(current == null ? 0 : 1, c.number() != 0 ? 1 : 0);
      default -> throw new IllegalStateException("unknown compare target " + c.target());
    }
    return switch (c.relation()) {
      case EQUAL -> order == 0;
      case NOT_EQUAL -> order != 0;
      case GREATER -> order > 0;
      case LESS -> order < 0;
    };
  }
}
