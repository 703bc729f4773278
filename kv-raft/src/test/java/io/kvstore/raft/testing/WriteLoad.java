package io.kvstore.raft.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kvstore.client.KvClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded background write load (by count and by time) that remembers every acknowledged write,
 * so a test can check that none was lost. Each key is written once with a value derived from it.
 */
public final class WriteLoad implements AutoCloseable {
  private final KvClient client;
  private final int inFlight;
  private final long maxWrites;
  private final Duration maxTime;
  private final Map<String, Long> acked = new ConcurrentHashMap<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;

  public WriteLoad(KvClient client, int inFlight, long maxWrites, Duration maxTime) {
    this.client = client;
    this.inFlight = inFlight;
    this.maxWrites = maxWrites;
    this.maxTime = maxTime;
    this.thread = new Thread(this::run, "write-load");
  }

  public static String valueOf(String key) {
    return "value-of-" + key;
  }

  public WriteLoad start() {
    thread.start();
    return this;
  }

  private void run() {
    Semaphore permits = new Semaphore(inFlight);
    long end = System.nanoTime() + maxTime.toNanos();
    for (long n = 0; n < maxWrites && !stop.get() && System.nanoTime() < end; n++) {
      try {
        if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          n--;
          continue;
        }
      } catch (InterruptedException e) {
        return;
      }
      String key = "load-" + n;
      client
          .putAsync(key.getBytes(UTF_8), valueOf(key).getBytes(UTF_8))
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  acked.put(key, v);
                } else {
                  failed.incrementAndGet();
                }
                permits.release();
              });
    }
    permits.acquireUninterruptibly(inFlight);
  }

  /** Number of acknowledged writes so far. */
  public int ackedCount() {
    return acked.size();
  }

  public long failedCount() {
    return failed.get();
  }

  /** Stops issuing writes and waits for the in-flight ones to finish. */
  public Map<String, Long> stopAndGetAcked() {
    stop.set(true);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Map.copyOf(acked);
  }

  @Override
  public void close() {
    stopAndGetAcked();
  }
}
