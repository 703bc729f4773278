package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.ReadOptions;
import io.kvstore.raft.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a majority down, the surviving replica refuses LINEARIZABLE, LEASE and BOUNDED reads (it has
 * not heard from a leader within the bound, so it cannot promise freshness) and answers ANY reads
 * with the data it has.
 */
@Timeout(180)
class DegradedReadsIT {
  @TempDir Path dir;

  @Test
  void majorityDown_onlyAnyAnswers() {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "1");
    try (InJvmCluster cluster = new InJvmCluster(dir, 3, p).startAll()) {
      try (KvClient client = cluster.client()) {
        client.put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
        // every replica has applied it once ALL acknowledges
        client.put(
            "k2".getBytes(UTF_8),
            "v2".getBytes(UTF_8),
            io.kvstore.client.WriteOptions.DEFAULT.withAckAll());
      }
      cluster.stop(0);
      cluster.stop(1);
      try (KvClient survivor =
          KvClient.builder()
              .endpoints(List.of(cluster.spec().clientEndpoint(2)))
              .timeout(Duration.ofSeconds(4))
              .attemptTimeout(Duration.ofSeconds(2))
              .build()) {
        byte[] key = "k".getBytes(UTF_8);
        assertArrayEquals(
            "v".getBytes(UTF_8), survivor.get(key, ReadOptions.ANY).orElseThrow().value());
        assertThrows(KvException.class, () -> survivor.get(key, ReadOptions.LINEARIZABLE));
        assertThrows(KvException.class, () -> survivor.get(key, ReadOptions.LEASE));
        assertThrows(
            KvException.class,
            () -> survivor.get(key, ReadOptions.bounded(Duration.ofMillis(500))));
        assertThrows(KvException.class, () -> survivor.put(key, "new".getBytes(UTF_8)));
        assertArrayEquals(
            "v".getBytes(UTF_8), survivor.get(key, ReadOptions.ANY).orElseThrow().value());
      }
    }
  }
}
