package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.LinearizabilityChecker;
import io.kvstore.cli.check.Operation;
import io.kvstore.cli.check.RegisterModel;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.PutResult;
import io.kvstore.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Jepsen register workload: {@code clients} threads, each with its own {@link KvClient}, doing
 * reads, writes of unique values and compare-and-sets. The clients are split into key slots of
 * {@value #WRITERS_PER_KEY}: the clients of a slot share one key at a time, and the slot moves to a
 * new key after 100–300 of its operations, so each key's history stays small enough to check and
 * still has concurrent writers. Clients 2k and 2k + 1 share slot k, so a {@link Reader} that treats
 * every other client differently (pinned reads) covers every key.
 *
 * <p>A cas is {@code put(key, new, onlyIfVersion(v))} where (v, value) is what this client last
 * observed of the key: its last ok read, or its own last ok write or cas (a put returns the version
 * it created). Recorded as {@code cas [value, new]}: versions identify values, since versions only
 * grow and values are unique. A key observed absent is cas'ed with {@code onlyIfAbsent}, recorded
 * as {@code [null, new]}. A client that knows nothing current of its key (new key, or its last cas
 * failed or was indeterminate) reads instead. With few writers per key most cas find the value the
 * client expects, so the history holds many successful ones (with every client on one key, a cas
 * almost always lost the race).
 *
 * <p>Error classification: {@link KvInvalidArgumentException} (and a cas whose condition did not
 * hold) is a definite {@code fail}; any other error on a write or cas is {@code info}
 * (indeterminate: it may have reached the log), after which the thread continues as a new process
 * id ({@code id + clients}), as in Jepsen. Errors on reads are {@code fail}: a read changes
 * nothing.
 *
 * <p>Checks: per-key linearizability ({@link RegisterModel}), and lost writes after the final
 * reads: if a key's final value was written by an operation that completed before an acknowledged
 * write of that key was even invoked, that acknowledged write was lost.
 */
public final class RegisterWorkload implements Workload {
  /** Share of reads, writes and cas, in percent. */
  static final int READ_PCT = 40;

  static final int WRITE_PCT = 20;

  /** Clients sharing one key. */
  static final int WRITERS_PER_KEY = 2;

  private final List<String> endpoints;
  private final int clients;
  private final long maxOps;
  private final Duration requestTimeout;
  private final HistoryRecorder history = new HistoryRecorder();
  private final long processBase;
  private final Random seeds;
  private final String keyPrefix;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong opsDone = new AtomicLong();
  private final Slot[] slots;
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final Map<String, String> finalValues = new ConcurrentHashMap<>();
  private final Set<String> finalMissing = ConcurrentHashMap.newKeySet();
  private Reader reader = (client, clientId, key) -> client.get(bytes(key));

  /**
   * How a client thread reads a key; by default through its client (linearizable, leader). {@code
   * clientId} is the thread's index, 0 to clients - 1; the two clients of a key slot have
   * consecutive ids (2k and 2k + 1).
   */
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
      long processBase) {
    this.endpoints = List.copyOf(endpoints);
    this.clients = clients;
    this.maxOps = maxOps;
    this.requestTimeout = requestTimeout;
    this.processBase = processBase;
    this.seeds = new Random(seed);
    this.keyPrefix = "drill-" + Long.toHexString(seed & 0xffffffL) + "-";
    int n = (clients + WRITERS_PER_KEY - 1) / WRITERS_PER_KEY;
    this.slots = new Slot[n];
    for (int i = 0; i < n; i++) {
      slots[i] = new Slot(i, new Random(seed ^ (0x5DEECE66DL * (i + 1))));
    }
  }

  @Override
  public String name() {
    return "register";
  }

  /** One group of clients sharing a key; the key changes after 100–300 of the group's ops. */
  private final class Slot {
    private final int id;
    private final Random random;
    private int keyIndex;
    private int opsLeft;

    Slot(int id, Random random) {
      this.id = id;
      this.random = random;
      this.opsLeft = nextRotation();
    }

    private int nextRotation() {
      return 100 + random.nextInt(201);
    }

    synchronized String key() {
      if (opsLeft-- <= 0) {
        keyIndex++;
        opsLeft = nextRotation() - 1;
      }
      String k = keyPrefix + id + "-" + keyIndex;
      keys.add(k);
      return k;
    }
  }

  @Override
  public void stop() {
    stop.set(true);
  }

  public long operations() {
    return opsDone.get();
  }

  @Override
  public History history() {
    return history.snapshot();
  }

  @Override
  public void run(long deadlineNanos) throws InterruptedException {
    Workload.runClients("register", clients, seeds, (id, seed) -> client(id, seed, deadlineNanos));
  }

  private void client(int id, long seed, long deadlineNanos) {
    Random random = new Random(seed);
    long process = processBase + id;
    long counter = 0;
    Slot slot = slots[id / WRITERS_PER_KEY];
    Map<String, Seen> seen = new HashMap<>();
    try (KvClient client = Workload.openClient(endpoints, requestTimeout)) {
      while (!stop.get() && System.nanoTime() < deadlineNanos) {
        if (opsDone.incrementAndGet() > maxOps) {
          break;
        }
        String key = slot.key();
        int dice = random.nextInt(100);
        Seen known = seen.get(key);
        boolean determinate;
        if (dice < READ_PCT || (dice >= READ_PCT + WRITE_PCT && known == null)) {
          determinate = read(client, process, key, seen);
        } else if (dice < READ_PCT + WRITE_PCT) {
          determinate = write(client, process, key, "v" + id + "-" + counter++, seen);
        } else {
          determinate = cas(client, process, key, known, "v" + id + "-" + counter++, seen);
        }
        if (!determinate) {
          process += clients; // retired after an indeterminate operation, as in Jepsen
        }
      }
    }
  }

  private boolean read(KvClient client, long process, String key, Map<String, Seen> seen) {
    history.record(Event.invoke(process, "read", key, null, System.nanoTime()));
    try {
      Optional<KeyValue> kv = reader.read(client, (int) ((process - processBase) % clients), key);
      long t = System.nanoTime();
      String value = kv.map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
      history.record(Event.ok(process, "read", key, value, t));
      seen.put(key, new Seen(kv.map(KeyValue::version).orElse(0L), value));
    } catch (RuntimeException e) {
      history.record(Event.fail(process, "read", key, null, System.nanoTime()));
    }
    return true;
  }

  private boolean write(
      KvClient client, long process, String key, String value, Map<String, Seen> seen) {
    history.record(Event.invoke(process, "write", key, value, System.nanoTime()));
    seen.remove(key);
    return complete(
        process,
        "write",
        key,
        value,
        () -> {
          long version = client.put(bytes(key), bytes(value));
          seen.put(key, new Seen(version, value));
          return true;
        });
  }

  private boolean cas(
      KvClient client, long process, String key, Seen known, String value, Map<String, Seen> seen) {
    List<String> arg = new ArrayList<>(2);
    arg.add(known.value());
    arg.add(value);
    WriteOptions options =
        known.version() == 0
            ? WriteOptions.onlyIfAbsent()
            : WriteOptions.onlyIfVersion(known.version());
    history.record(Event.invoke(process, "cas", key, arg, System.nanoTime()));
    seen.remove(key);
    return complete(
        process,
        "cas",
        key,
        arg,
        () -> {
          PutResult r = client.put(bytes(key), bytes(value), options);
          if (r.applied()) {
            seen.put(key, new Seen(r.version(), value));
          }
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

  /** Adds keys written outside the clients (the lost-write control) to the final reads. */
  void addKey(String key) {
    keys.add(key);
  }

  /** The recorder, for operations run outside the client threads (the lost-write control). */
  HistoryRecorder recorder() {
    return history;
  }

  @Override
  public void finalReads(KvClient client, long deadlineNanos) {
    long process = processBase + FINAL_PROCESS;
    for (String key : new java.util.TreeSet<>(keys)) {
      String value = finalRead(client, process, key, deadlineNanos, history);
      if (value == MISSING) {
        finalMissing.add(key);
      } else {
        finalValues.put(key, value == null ? ABSENT : value);
      }
    }
  }

  /** Process ids at or above base + this are the final readers. */
  static final long FINAL_PROCESS = 900_000;

  private static final String ABSENT = "\u0000absent";
  static final String MISSING = new String("\u0000missing");

  /**
   * A linearizable read recorded as a register read, retried as new operations until ok or the
   * deadline; returns the value (null: absent) or {@link #MISSING}.
   */
  static String finalRead(
      KvClient client, long process, String key, long deadlineNanos, HistoryRecorder history) {
    while (true) {
      history.record(Event.invoke(process, "read", key, null, System.nanoTime()));
      try {
        Optional<KeyValue> kv = client.get(bytes(key));
        String value = kv.map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
        history.record(Event.ok(process, "read", key, value, System.nanoTime()));
        return value;
      } catch (RuntimeException e) {
        history.record(Event.fail(process, "read", key, null, System.nanoTime()));
        if (System.nanoTime() > deadlineNanos) {
          return MISSING;
        }
        pause(200); // retry pacing, bounded by the deadline
      }
    }
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public WorkloadCheck check() {
    History h = history.snapshot();
    List<Operation> ops = h.operations();
    CheckResult lin = new LinearizabilityChecker(RegisterModel.absent()).check(ops);
    List<Anomaly> anomalies = new ArrayList<>(lostWrites(name(), ops, finalValues()));
    for (String key : new java.util.TreeSet<>(finalMissing)) {
      anomalies.add(new Anomaly(name(), "final-read-failed", key, "no final read succeeded"));
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    long casOk = 0;
    long casFail = 0;
    long casInfo = 0;
    for (Operation op : ops) {
      if (op.f().equals("cas")) {
        switch (op.outcome()) {
          case OK -> casOk++;
          case FAIL -> casFail++;
          default -> casInfo++;
        }
      }
    }
    stats.put("keys", keys.size());
    stats.put("casOk", casOk);
    stats.put("casFail", casFail);
    stats.put("casInfo", casInfo);
    long decided = casOk + casFail;
    stats.put("casOkRatio", decided == 0 ? 0.0 : Math.round(1000.0 * casOk / decided) / 1000.0);
    return new WorkloadCheck(name(), lin, anomalies, stats);
  }

  /** Final values by key; null values are absent keys. */
  private Map<String, String> finalValues() {
    Map<String, String> out = new TreeMap<>();
    finalValues.forEach((k, v) -> out.put(k, v.equals(ABSENT) ? null : v));
    return out;
  }

  /**
   * Acknowledged writes that the final value contradicts: the final value of a key was written by
   * an ok operation that completed before an ok write or cas of the same key was invoked (or the
   * key is absent although a write was acknowledged). Values are unique, so in every linearization
   * that later write comes after the final value's writer, and a final read that still returns the
   * older value means the acknowledged write was lost. Sound but not complete: the checker's
   * verdict covers the rest.
   */
  static List<Anomaly> lostWrites(
      String workload, List<Operation> ops, Map<String, String> finalValueByKey) {
    Map<String, List<Operation>> writesByKey = new HashMap<>();
    for (Operation op : ops) {
      if ((op.f().equals("write") || op.f().equals("cas"))
          && op.outcome() != Operation.Outcome.FAIL) {
        writesByKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<Anomaly> out = new ArrayList<>();
    for (Map.Entry<String, String> e : finalValueByKey.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      List<Operation> writes = writesByKey.getOrDefault(key, List.of());
      long since = Long.MIN_VALUE; // the final value was in place from here on
      if (value != null) {
        Operation writer = null;
        for (Operation w : writes) {
          if (Objects.equals(written(w), value)) {
            writer = w;
          }
        }
        if (writer == null) {
          out.add(new Anomaly(workload, "invented-value", key, "final value \"" + value + "\""));
          continue;
        }
        if (writer.isIndeterminate()) {
          continue; // it may have taken effect at any time after its invocation
        }
        since = writer.completeTime();
      }
      Set<String> lost = new LinkedHashSet<>();
      for (Operation w : writes) {
        if (w.outcome() == Operation.Outcome.OK && w.invokeTime() > since) {
          lost.add(written(w));
        }
      }
      if (!lost.isEmpty()) {
        out.add(
            new Anomaly(
                workload,
                "lost-write",
                key,
                "final value "
                    + (value == null ? "absent" : "\"" + value + "\"")
                    + " predates acknowledged write(s) "
                    + lost));
      }
    }
    return out;
  }

  private static String written(Operation op) {
    if (op.f().equals("write")) {
      return (String) op.input();
    }
    return ((List<?>) op.input()).get(1).toString();
  }

  /** What a thread last knew of a key: version 0 = absent. */
  private record Seen(long version, String value) {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
