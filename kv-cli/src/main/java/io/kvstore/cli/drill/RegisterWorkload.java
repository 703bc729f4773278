package io.kvstore.cli.drill;

import io.kvstore.cli.check.Event;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.PutResult;
import io.kvstore.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Jepsen register workload: {@code clients} threads, each with its own {@link KvClient}, doing
 * random reads, writes of unique values and compare-and-sets on one shared key at a time; the key
 * changes every 100–300 operations so each key's history stays small enough to check.
 *
 * <p>A cas needs the value behind a version: each thread remembers the (version, value) of its last
 * ok read of the current key and sends {@code put(key, new, onlyIfVersion(version))}, recorded as
 * {@code cas [value, new]} (versions identify values: versions only grow and values are unique). A
 * thread that has not read the key yet reads instead; a key read as absent is cas'ed with {@code
 * onlyIfAbsent}, recorded as {@code [null, new]}.
 *
 * <p>Error classification: {@link KvInvalidArgumentException} (and a cas whose condition did not
 * hold) is a definite {@code fail}; any other error on a write or cas is {@code info}
 * (indeterminate: it may have reached the log), after which the thread continues as a new process
 * id ({@code id + clients}), as in Jepsen. Errors on reads are {@code fail}: a read changes
 * nothing.
 */
public final class RegisterWorkload {
  /** Share of reads, writes and cas, in percent. */
  static final int READ_PCT = 50;

  static final int WRITE_PCT = 30;

  private final List<String> endpoints;
  private final int clients;
  private final long maxOps;
  private final Duration requestTimeout;
  private final HistoryRecorder history;
  private final Random seeds;
  private final String keyPrefix;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong opsDone = new AtomicLong();
  private final Object keyLock = new Object();
  private final Random keyRandom;
  private int keyIndex;
  private int opsLeftOnKey;
  private Reader reader = (client, clientId, key) -> client.get(bytes(key));

  /** How a client thread reads a key; by default through its client (linearizable, leader). */
  @FunctionalInterface
  public interface Reader {
    Optional<KeyValue> read(KvClient client, int clientId, String key);
  }

  /** Reads with {@code r} instead of the default; call before {@link #run}. */
  public RegisterWorkload withReader(Reader r) {
    this.reader = r;
    return this;
  }

  public RegisterWorkload(
      List<String> endpoints,
      int clients,
      long maxOps,
      Duration requestTimeout,
      long seed,
      HistoryRecorder history) {
    this.endpoints = List.copyOf(endpoints);
    this.clients = clients;
    this.maxOps = maxOps;
    this.requestTimeout = requestTimeout;
    this.history = history;
    this.seeds = new Random(seed);
    this.keyRandom = new Random(seed ^ 0x5DEECE66DL);
    this.keyPrefix = "drill-" + Long.toHexString(seed & 0xffffffL) + "-";
    this.opsLeftOnKey = nextRotation();
  }

  private int nextRotation() {
    return 100 + keyRandom.nextInt(201);
  }

  /** The key every client works on now; moves to a new key after 100–300 operations. */
  private String currentKey() {
    synchronized (keyLock) {
      if (opsLeftOnKey-- <= 0) {
        keyIndex++;
        opsLeftOnKey = nextRotation() - 1;
      }
      return keyPrefix + keyIndex;
    }
  }

  /** Asks the clients to finish their current operation and stop. */
  public void stop() {
    stop.set(true);
  }

  public long operations() {
    return opsDone.get();
  }

  /**
   * Runs the clients until {@code deadlineNanos} ({@link System#nanoTime()}), {@code maxOps}
   * operations, or {@link #stop()}; returns when every client has finished.
   */
  public void run(long deadlineNanos) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      long seed = seeds.nextLong();
      int id = c;
      Thread t = new Thread(() -> client(id, seed, deadlineNanos), "drill-client-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }

  private void client(int id, long seed, long deadlineNanos) {
    Random random = new Random(seed);
    long process = id;
    long counter = 0;
    Map<String, Seen> lastRead = new HashMap<>();
    try (KvClient client =
        KvClient.builder()
            .endpoints(endpoints)
            .timeout(requestTimeout)
            .attemptTimeout(requestTimeout.dividedBy(2))
            .build()) {
      while (!stop.get() && System.nanoTime() < deadlineNanos) {
        if (opsDone.incrementAndGet() > maxOps) {
          break;
        }
        String key = currentKey();
        int dice = random.nextInt(100);
        boolean ok;
        if (dice < READ_PCT || (dice >= READ_PCT + WRITE_PCT && !lastRead.containsKey(key))) {
          ok = read(client, process, key, lastRead);
        } else if (dice < READ_PCT + WRITE_PCT) {
          ok = write(client, process, key, "v" + id + "-" + counter++);
        } else {
          ok = cas(client, process, key, lastRead.get(key), "v" + id + "-" + counter++);
        }
        if (!ok) {
          process += clients; // retired after an indeterminate operation, as in Jepsen
        }
      }
    }
  }

  private boolean read(KvClient client, long process, String key, Map<String, Seen> last) {
    history.record(Event.invoke(process, "read", key, null, System.nanoTime()));
    try {
      Optional<KeyValue> kv = reader.read(client, (int) (process % clients), key);
      long t = System.nanoTime();
      String value = kv.map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
      history.record(Event.ok(process, "read", key, value, t));
      last.put(key, new Seen(kv.map(KeyValue::version).orElse(0L), value));
    } catch (RuntimeException e) {
      history.record(Event.fail(process, "read", key, null, System.nanoTime()));
    }
    return true;
  }

  private boolean write(KvClient client, long process, String key, String value) {
    history.record(Event.invoke(process, "write", key, value, System.nanoTime()));
    return complete(
        process,
        "write",
        key,
        value,
        () -> {
          client.put(bytes(key), bytes(value));
          return true;
        });
  }

  private boolean cas(KvClient client, long process, String key, Seen seen, String value) {
    String expected = seen.value();
    List<String> arg = new ArrayList<>(2);
    arg.add(expected);
    arg.add(value);
    WriteOptions options =
        seen.version() == 0
            ? WriteOptions.onlyIfAbsent()
            : WriteOptions.onlyIfVersion(seen.version());
    history.record(Event.invoke(process, "cas", key, arg, System.nanoTime()));
    return complete(
        process,
        "cas",
        key,
        arg,
        () -> {
          PutResult r = client.put(bytes(key), bytes(value), options);
          return r.applied();
        });
  }

  /** Runs a write and records ok, fail or info; false when the outcome is indeterminate. */
  private boolean complete(
      long process, String f, String key, Object value, Supplier<Boolean> request) {
    try {
      boolean applied = request.get();
      long t = System.nanoTime();
      history.record(
          applied ? Event.ok(process, f, key, value, t) : Event.fail(process, f, key, value, t));
      return true;
    } catch (KvInvalidArgumentException e) {
      history.record(Event.fail(process, f, key, value, System.nanoTime()));
      return true;
    } catch (RuntimeException e) {
      history.record(Event.info(process, f, key, value, System.nanoTime()));
      return false;
    }
  }

  /** What a thread last read of a key: version 0 = absent. */
  private record Seen(long version, String value) {}

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
