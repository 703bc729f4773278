package io.kvstore.client;

import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.KeyHasher;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client's routing of one request: key → hash (xxHash64, hash tags) → partition → the
 * partition's leader endpoint, with the router built from a cluster map of 3 nodes and {@code
 * partitions} partitions. In this package because the router is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RoutingBenchmark {
  @Param({"16", "256"})
  int partitions;

  private PartitionRouter router;
  private final byte[][] keys = new byte[1024][];
  private int next;

  @Setup
  public void setup() {
    ClusterMapResponse.Builder map =
        ClusterMapResponse.newBuilder()
            .setEpoch(1)
            .setPartitionCount(partitions)
            .setReplicationFactor(3)
            .setKeyHash(PartitionRouter.KEY_HASH);
    for (int n = 1; n <= 3; n++) {
      map.addNodes(
          NodeInfo.newBuilder().setId("n" + n).setClientEndpoint("127.0.0." + n + ":9870"));
    }
    for (int p = 0; p < partitions; p++) {
      map.addPartitions(
          PartitionInfo.newBuilder()
              .setId(p)
              .addReplicas("n" + (p % 3 + 1))
              .addReplicas("n" + ((p + 1) % 3 + 1))
              .addReplicas("n" + ((p + 2) % 3 + 1))
              .setLeader("n" + (p % 3 + 1)));
    }
    router = new PartitionRouter(map.build());
    for (int i = 0; i < keys.length; i++) {
      keys[i] = String.format("k%015d", i * 7919L).getBytes(StandardCharsets.US_ASCII);
    }
  }

  private byte[] nextKey() {
    next = (next + 1) & (keys.length - 1);
    return keys[next];
  }

  /** The hash alone (xxHash64 with hash-tag detection). */
  @Benchmark
  public long hashKey() {
    return KeyHasher.hashKey(nextKey());
  }

  /** Key to leader endpoint, as every single-key request does. */
  @Benchmark
  public String keyToEndpoint() {
    return router.route(router.partitionOf(nextKey())).pick();
  }
}
