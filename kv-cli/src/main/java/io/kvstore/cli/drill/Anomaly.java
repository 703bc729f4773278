package io.kvstore.cli.drill;

/**
 * One thing a check found wrong, e.g. {@code lost-write}, {@code invented-element}, {@code
 * total-changed}. A correct store produces none.
 *
 * @param key the key (or logical key, e.g. the bank's hash tag) it concerns
 */
public record Anomaly(String workload, String kind, String key, String detail) {
  @Override
  public String toString() {
    return workload + " " + kind + " " + key + ": " + detail;
  }
}
