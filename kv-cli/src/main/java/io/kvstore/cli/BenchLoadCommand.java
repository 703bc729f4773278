package io.kvstore.cli;

import com.google.protobuf.ByteString;
import io.kvstore.client.Batch;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnPut;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv bench load}: bulk-loads a target amount of user data with batched puts ({@link
 * KvClient#batch}), {@code --in-flight} batches at a time, and reports MB/s and keys/s.
 *
 * <p>Keys are {@code k0000…0}, {@code k0000…1}, … as {@code kv bench read} names them, so a read
 * run with {@code --keys N --preload skip} reads exactly the loaded keys. Keys hash to partitions,
 * so every batch spreads over all partitions. Values are random bytes by default (slices of a
 * random pool with the key number in front, so no two values are equal and per-value compression
 * finds nothing: the bytes on disk are honest) or, with {@code --value-json}, compressible JSON.
 *
 * <p>Bounded by {@code --bytes} (user bytes: keys plus values) and {@code --max-time}; a failed
 * batch is retried (puts are idempotent) up to {@code --retries} times, then counted as failed.
 */
@Command(
    name = "load",
    description = "Bulk-load a target number of bytes with batched puts; report MB/s and keys/s.")
final class BenchLoadCommand implements Callable<Integer> {
  private static final int POOL_BYTES = 64 << 20;

  @Spec CommandSpec spec;

  @Option(
      names = "--bytes",
      defaultValue = "1g",
      description = "User data to load (keys plus values), e.g. 512m, 8g (default: 1g).")
  String bytesText;

  @Option(names = "--value-size", defaultValue = "4096", description = "Value size in bytes.")
  int valueSize;

  @Option(names = "--key-size", defaultValue = "16", description = "Key size in bytes (>= 8).")
  int keySize;

  @Option(
      names = "--batch",
      defaultValue = "1024",
      description = "Puts per batch (spread over all partitions; default: 1024).")
  int batchOps;

  @Option(
      names = "--in-flight",
      defaultValue = "8",
      description = "Batches outstanding at once (default: 8).")
  int inFlight;

  @Option(
      names = "--max-time",
      defaultValue = "120m",
      converter = DurationConverter.class,
      description = "Stop starting batches after this long (default: 120m).")
  Duration maxTime;

  @Option(
      names = "--start-key",
      defaultValue = "0",
      description = "First key number (to extend an earlier load).")
  long startKey;

  @Option(
      names = "--retries",
      defaultValue = "5",
      description = "Attempts per failed batch after the first.")
  int retries;

  @Option(
      names = "--value-json",
      description = "Values are JSON documents (compressible) instead of random bytes.")
  boolean valueJson;

  @Option(
      names = "--attempt-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Deadline of one attempt of a batch chunk (default: 60s). Short attempts under load "
              + "re-send chunks that are still committing, each re-send another log entry.")
  Duration attemptTimeout;

  @Option(
      names = "--progress",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Interval of the progress line on stderr (default: 10s).")
  Duration progressEvery;

  @Override
  public Integer call() throws Exception {
    long target = parseBytes(bytesText);
    if (valueSize < 1
        || keySize < 8
        || keySize > 64
        || batchOps < 1
        || batchOps > 100_000
        || inFlight < 1
        || inFlight > 1024
        || retries < 0
        || startKey < 0) {
      throw new InputException(
          "--value-size >= 1, --key-size 8..64, --batch 1..100000, --in-flight 1..1024, "
              + "--retries >= 0, --start-key >= 0");
    }
    if (maxTime.isZero() || maxTime.isNegative()) {
      throw new InputException("--max-time must be positive");
    }
    long perKey = (long) keySize + valueSize;
    long keys = (target + perKey - 1) / perKey;
    long maxKeyNumber = (long) Math.pow(10, keySize - 1) - 1;
    if (startKey + keys - 1 > maxKeyNumber) {
      throw new InputException("--key-size " + keySize + " cannot number " + keys + " keys");
    }
    Kv kv = Kv.of(spec);
    PrintWriter err = spec.commandLine().getErr();
    byte[] pool = new byte[valueJson ? 0 : POOL_BYTES];
    new SplittableRandom(42).nextBytes(pool);
    byte[] json = valueJson ? BenchCommand.jsonValue(valueSize) : null;

    AtomicLong nextKey = new AtomicLong(startKey);
    long endKey = startKey + keys;
    AtomicLong okKeys = new AtomicLong();
    AtomicLong failedKeys = new AtomicLong();
    AtomicLong retried = new AtomicLong();
    Recorder latency = new Recorder(3);
    long start = System.nanoTime();
    long deadline = start + maxTime.toNanos();
    String lastError = null;
    // Not kv.openClient(): its attempts time out after 3 s, and a re-sent chunk is replicated
    // again, so a loaded cluster would spend its time on duplicates.
    Duration overall = attemptTimeout.multipliedBy(2);
    try (KvClient client =
        KvClient.builder()
            .endpoints(kv.endpointList())
            .timeout(overall)
            .attemptTimeout(attemptTimeout)
            .build()) {
      ExecutorService workers = Executors.newFixedThreadPool(inFlight, daemonThreads());
      List<Future<String>> results = new ArrayList<>();
      for (int w = 0; w < inFlight; w++) {
        results.add(
            workers.submit(
                () -> {
                  String error = null;
                  while (System.nanoTime() < deadline) {
                    long from = nextKey.getAndAdd(batchOps);
                    if (from >= endKey) {
                      break;
                    }
                    long to = Math.min(endKey, from + batchOps);
                    List<TxnOp> ops = new ArrayList<>((int) (to - from));
                    for (long k = from; k < to; k++) {
                      ops.add(put(k, pool, json));
                    }
                    boolean done = false;
                    for (int attempt = 0; attempt <= retries && !done; attempt++) {
                      if (attempt > 0) {
                        retried.incrementAndGet();
                      }
                      long t0 = System.nanoTime();
                      try {
                        Batch.Result r = client.batch(ops);
                        done = r.allCommitted();
                        if (done) {
                          latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                        } else {
                          error = firstError(r);
                        }
                      } catch (RuntimeException e) {
                        error = e.getMessage();
                      }
                    }
                    (done ? okKeys : failedKeys).addAndGet(to - from);
                  }
                  return error;
                }));
      }
      workers.shutdown();
      long nextProgress = start + progressEvery.toNanos();
      long lastKeys = 0;
      long lastAt = start;
      while (!workers.awaitTermination(200, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (now >= nextProgress) {
          long k = okKeys.get();
          err.printf(
              Locale.ROOT,
              "  %6.0fs  %,d keys  %.2f GB  %.1f MB/s (last %.0fs: %.1f MB/s)  failed %d"
                  + "  retried %d%n",
              (now - start) / 1e9,
              k,
              k * perKey / 1e9,
              k * perKey / 1e6 / ((now - start) / 1e9),
              (now - lastAt) / 1e9,
              (k - lastKeys) * perKey / 1e6 / ((now - lastAt) / 1e9),
              failedKeys.get(),
              retried.get());
          err.flush();
          lastKeys = k;
          lastAt = now;
          nextProgress = now + progressEvery.toNanos();
        }
      }
      for (Future<String> f : results) {
        String e = f.get();
        if (e != null) {
          lastError = e;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long loaded = okKeys.get();
    Map<String, Object> row = new LinkedHashMap<>();
    var h = latency.getIntervalHistogram();
    row.put("keys", loaded);
    row.put("failedKeys", failedKeys.get());
    row.put("retriedBatches", retried.get());
    row.put("firstKey", startKey);
    row.put("endKey", nextKey.get() < endKey ? nextKey.get() : endKey);
    row.put("keySize", keySize);
    row.put("valueSize", valueSize);
    row.put("values", valueJson ? "json" : "random");
    row.put("bytes", loaded * perKey);
    row.put("seconds", round(seconds));
    row.put("mbPerSec", round(loaded * perKey / 1e6 / seconds));
    row.put("keysPerSec", round(loaded / seconds));
    row.put("batchP50Ms", round(h.getValueAtPercentile(50) / 1000.0));
    row.put("batchP99Ms", round(h.getValueAtPercentile(99) / 1000.0));
    row.put("complete", loaded == keys);
    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(row));
    } else {
      TextTable t = new TextTable(row.keySet().stream().map(BenchLoadCommand::header).toList());
      t.add(row.values().stream().map(String::valueOf).toList());
      t.print(out, kv.output());
    }
    out.flush();
    if (failedKeys.get() > 0) {
      err.println("kv bench load: " + failedKeys.get() + " keys failed; last error: " + lastError);
      err.flush();
      return ExitCodes.ERROR;
    }
    return ExitCodes.OK;
  }

  private TxnOp put(long k, byte[] pool, byte[] json) {
    byte[] key = key(k, keySize);
    byte[] value;
    if (json != null) {
      value = json;
    } else {
      value = new byte[valueSize];
      int span = pool.length - valueSize;
      int off = (int) Math.floorMod(k * 8191L, (long) Math.max(1, span));
      System.arraycopy(pool, off, value, 0, Math.min(valueSize, pool.length));
      for (int i = 0; i < Math.min(8, valueSize); i++) {
        value[i] = (byte) (k >>> (56 - 8 * i));
      }
    }
    return TxnOp.newBuilder()
        .setPut(
            TxnPut.newBuilder()
                .setKey(ByteString.copyFrom(key))
                .setValue(ByteString.copyFrom(value)))
        .build();
  }

  /** The same key names as {@code kv bench}: {@code k}, then the number zero-padded. */
  static byte[] key(long k, int keySize) {
    String s = String.format(Locale.ROOT, "k%0" + (keySize - 1) + "d", k);
    return s.substring(s.length() - keySize).getBytes(StandardCharsets.US_ASCII);
  }

  private static String firstError(Batch.Result r) {
    for (Batch.PartitionOutcome p : r.partitions()) {
      if (p.error() != null) {
        return "partition " + p.partition() + ": " + p.error();
      }
    }
    return "not all committed";
  }

  private static String header(String field) {
    return field.replaceAll("([A-Z])", "-$1").toUpperCase(Locale.ROOT);
  }

  /** {@code 123}, {@code 512k}, {@code 64m}, {@code 8g}, {@code 1t} (binary units). */
  static long parseBytes(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    long mult = 1;
    if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k' -> mult = 1L << 10;
        case 'm' -> mult = 1L << 20;
        case 'g' -> mult = 1L << 30;
        case 't' -> mult = 1L << 40;
        default -> mult = 1;
      }
      if (mult > 1) {
        s = s.substring(0, s.length() - 1);
      }
    }
    try {
      double v = Double.parseDouble(s);
      if (v <= 0 || v * mult > 1L << 50) {
        throw new NumberFormatException();
      }
      return (long) (v * mult);
    } catch (NumberFormatException e) {
      throw new InputException("--bytes: expected a positive size like 512m or 8g, got: " + text);
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, "bench-load-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
