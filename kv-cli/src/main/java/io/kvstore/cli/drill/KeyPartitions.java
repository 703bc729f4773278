package io.kvstore.cli.drill;

import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.nio.charset.StandardCharsets;

/**
 * Key → partition as the client routes it: the cluster map's partition count, the ring hash (with
 * hash tags) and equal ranges, so the report can tell which partition an operation waited on.
 */
public record KeyPartitions(int count) {
  public int of(String key) {
    return PartitionScheme.of(count)
        .partitionOf(KeyHasher.hashKey(key.getBytes(StandardCharsets.UTF_8)));
  }
}
