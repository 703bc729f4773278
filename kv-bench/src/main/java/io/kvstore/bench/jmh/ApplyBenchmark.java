package io.kvstore.bench.jmh;

import io.kvstore.core.command.Command;
import io.kvstore.core.command.CommandExecutor;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.WriteBatch;
import io.kvstore.core.storage.mapdb.MapDbPartitionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Applying one committed put as the state machine does: a write batch on a MapDB store (in a temp
 * directory, the node's default options: a MapDB commit every 1000 batches), the executor with
 * client-session bookkeeping, and the batch's commit with the entry's log position. Keys are drawn
 * from {@code keys} 16-byte keys, values 128 random bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ApplyBenchmark {
  @Param({"100000"})
  int keys;

  private Path dir;
  private MapDbPartitionStore store;
  private final CommandExecutor executor = new CommandExecutor();
  private final Random rnd = new Random(1);
  private final byte[] value = new byte[128];
  private byte[][] keyBytes;
  private long index;

  @Setup
  public void setup() throws IOException {
    dir = Files.createTempDirectory("apply-bench");
    store = MapDbPartitionStore.open(dir, MapDbPartitionStore.Options.DEFAULT);
    rnd.nextBytes(value);
    keyBytes = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      keyBytes[i] = String.format("k%015d", i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public Result applyPut() {
    long i = ++index;
    Proposal p =
        new Proposal(
            new RequestId(7, 11, i, i), new Command.Put(keyBytes[rnd.nextInt(keys)], value));
    WriteBatch batch = store.newBatch();
    Result r = executor.execute(p, i, store, batch);
    batch.commit(new LogPosition(1, i));
    return r;
  }
}
