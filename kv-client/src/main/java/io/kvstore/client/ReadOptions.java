package io.kvstore.client;

import io.kvstore.client.proto.Consistency;
import java.time.Duration;

/**
 * How fresh a read must be (see {@link Consistency}): LINEARIZABLE (default), LEASE, BOUNDED with a
 * staleness bound in time and/or log entries, or ANY.
 */
public record ReadOptions(Consistency consistency, long maxStalenessMs, long maxLagEntries) {
  public static final ReadOptions LINEARIZABLE = new ReadOptions(Consistency.LINEARIZABLE, 0, 0);
  public static final ReadOptions LEASE = new ReadOptions(Consistency.LEASE, 0, 0);
  public static final ReadOptions ANY = new ReadOptions(Consistency.ANY, 0, 0);

  public static ReadOptions bounded(Duration maxStaleness) {
    return new ReadOptions(Consistency.BOUNDED, Math.max(1, maxStaleness.toMillis()), 0);
  }

  public static ReadOptions bounded(Duration maxStaleness, long maxLagEntries) {
    return new ReadOptions(
        Consistency.BOUNDED, Math.max(1, maxStaleness.toMillis()), maxLagEntries);
  }
}
