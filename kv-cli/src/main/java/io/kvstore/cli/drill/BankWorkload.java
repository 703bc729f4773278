package io.kvstore.cli.drill;

import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.Operation;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.ReadOptions;
import io.kvstore.client.Scan;
import io.kvstore.client.Txns;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnOpResult;
import io.kvstore.client.proto.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank workload with a transfer ledger: {@value #ACCOUNTS} accounts under one hash tag (so one
 * partition, where transactions are atomic), each opened with {@value #INITIAL}.
 *
 * <ul>
 *   <li>{@code read}: one transaction of gets of every account (it goes through the log, so it is
 *       linearizable and atomic); recorded with the balances as value.
 *   <li>{@code transfer [id, from, to, amount]}: one transaction that compares the versions of both
 *       accounts with the ones this client last saw and, if they hold, writes both new balances and
 *       a ledger key {@code <tag>xfer-<id>} = {@code "from to amount"}. Transfer ids are unique. A
 *       transaction whose compares failed is a definite {@code fail}.
 * </ul>
 *
 * <p>Checks: every ok read (during the run and the final one) sums to {@code ACCOUNTS * INITIAL}
 * with no negative balance; after healing the final read of the balances and of the whole ledger (a
 * linearizable prefix scan) must show every acknowledged transfer exactly once with its amounts
 * ({@code lost-transfer}), no transfer that was never invoked or definitely failed ({@code
 * invented-transfer}, {@code failed-transfer-applied}), and balances equal to the opening balances
 * plus the ledger ({@code ledger-mismatch}, which also catches a transfer applied twice).
 * Indeterminate transfers may or may not be in the ledger.
 */
public final class BankWorkload implements Workload {
  static final int ACCOUNTS = 8;
  static final long INITIAL = 100;
  static final int MAX_AMOUNT = 5;
  private static final int READ_PCT = 25;

  private final List<String> endpoints;
  private final int clients;
  private final long maxOps;
  private final Duration requestTimeout;
  private final HistoryRecorder history = new HistoryRecorder();
  private final long processBase;
  private final Random seeds;
  private final String tag;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong opsDone = new AtomicLong();
  private volatile List<Long> finalBalances;
  private volatile Map<String, String> finalLedger;

  public BankWorkload(
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
    this.seeds = new Random(seed ^ 0xBA4CL);
    this.tag = "{bank-" + Long.toHexString(seed & 0xffffffL) + "}";
  }

  @Override
  public String name() {
    return "bank";
  }

  String account(int i) {
    return tag + "acct-" + i;
  }

  private String ledgerPrefix() {
    return tag + "xfer-";
  }

  @Override
  public void stop() {
    stop.set(true);
  }

  @Override
  public History history() {
    return history.snapshot();
  }

  /** Opens every account with {@link #INITIAL} in one transaction, if none exists yet. */
  @Override
  public void setup(KvClient client, long deadlineNanos) {
    List<TxnOp> puts = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      puts.add(Txns.put(bytes(account(i)), bytes(Long.toString(INITIAL))));
    }
    while (true) {
      try {
        client.txn(List.of(Txns.absent(bytes(account(0)))), puts, List.of());
        return; // applied, or an earlier indeterminate attempt already opened the accounts
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadlineNanos) {
          throw new IllegalStateException("bank: could not open the accounts: " + e.getMessage());
        }
        RegisterWorkload.pause(200); // retry pacing, bounded by the deadline
      }
    }
  }

  @Override
  public void run(long deadlineNanos) throws InterruptedException {
    Workload.runClients("bank", clients, seeds, (id, seed) -> client(id, seed, deadlineNanos));
  }

  /** Balances and versions of every account as one read saw them. */
  private record Snapshot(long[] balances, long[] versions) {}

  private void client(int id, long seed, long deadlineNanos) {
    Random random = new Random(seed);
    long process = processBase + id;
    long counter = 0;
    Snapshot known = null;
    try (KvClient client = Workload.openClient(endpoints, requestTimeout)) {
      while (!stop.get() && System.nanoTime() < deadlineNanos) {
        if (opsDone.incrementAndGet() > maxOps) {
          break;
        }
        if (known == null || random.nextInt(100) < READ_PCT) {
          known = read(client, process, false);
          continue;
        }
        int from = random.nextInt(ACCOUNTS);
        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        if (known.balances()[from] <= 0) {
          known = null;
          continue;
        }
        long amount = 1 + random.nextInt((int) Math.min(MAX_AMOUNT, known.balances()[from]));
        String xfer = "c" + id + "-" + counter++;
        Outcome o = transfer(client, process, known, xfer, from, to, amount);
        if (o == Outcome.INFO) {
          process += clients; // retired after an indeterminate operation, as in Jepsen
        }
        if (o != Outcome.OK) {
          known = null;
        }
      }
    }
  }

  private enum Outcome {
    OK,
    FAIL,
    INFO
  }

  /** A read of every balance in one transaction; returns it, or null if it failed. */
  private Snapshot read(KvClient client, long process, boolean fin) {
    history.record(Event.invoke(process, "read", tag, null, System.nanoTime()));
    try {
      List<TxnOp> gets = new ArrayList<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        gets.add(Txns.get(bytes(account(i))));
      }
      TxnResponse r = client.txn(List.of(), gets, List.of());
      long[] balances = new long[ACCOUNTS];
      long[] versions = new long[ACCOUNTS];
      List<String> value = new ArrayList<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        TxnOpResult res = r.getResults(i);
        GetResponse g = res.getGet();
        if (!g.getFound()) {
          throw new IllegalStateException("account " + i + " missing");
        }
        balances[i] = Long.parseLong(g.getValue().toStringUtf8());
        versions[i] = g.getVersion();
        value.add(Long.toString(balances[i]));
      }
      history.record(Event.ok(process, "read", tag, value, System.nanoTime()));
      if (fin) {
        List<Long> b = new ArrayList<>();
        for (long x : balances) {
          b.add(x);
        }
        finalBalances = b;
      }
      return new Snapshot(balances, versions);
    } catch (IllegalStateException e) {
      // A read that returns no account at all after setup is an anomaly the check reports.
      history.record(Event.ok(process, "read", tag, List.of("missing"), System.nanoTime()));
      return null;
    } catch (RuntimeException e) {
      history.record(Event.fail(process, "read", tag, null, System.nanoTime()));
      return null;
    }
  }

  private Outcome transfer(
      KvClient client, long process, Snapshot known, String xfer, int from, int to, long amount) {
    List<String> value =
        List.of(xfer, Integer.toString(from), Integer.toString(to), Long.toString(amount));
    history.record(Event.invoke(process, "transfer", tag, value, System.nanoTime()));
    List<Compare> compares =
        List.of(
            Txns.versionEquals(bytes(account(from)), known.versions()[from]),
            Txns.versionEquals(bytes(account(to)), known.versions()[to]));
    long newFrom = known.balances()[from] - amount;
    long newTo = known.balances()[to] + amount;
    List<TxnOp> ops =
        List.of(
            Txns.put(bytes(account(from)), bytes(Long.toString(newFrom))),
            Txns.put(bytes(account(to)), bytes(Long.toString(newTo))),
            Txns.put(bytes(ledgerPrefix() + xfer), bytes(from + " " + to + " " + amount)));
    try {
      TxnResponse r = client.txn(compares, ops, List.of());
      long t = System.nanoTime();
      if (!r.getSucceeded()) {
        history.record(Event.fail(process, "transfer", tag, value, t));
        return Outcome.FAIL;
      }
      history.record(Event.ok(process, "transfer", tag, value, t));
      known.balances()[from] = newFrom;
      known.balances()[to] = newTo;
      known.versions()[from] = r.getVersion();
      known.versions()[to] = r.getVersion();
      return Outcome.OK;
    } catch (KvInvalidArgumentException e) {
      history.record(Event.fail(process, "transfer", tag, value, System.nanoTime()));
      return Outcome.FAIL;
    } catch (RuntimeException e) {
      history.record(Event.info(process, "transfer", tag, value, System.nanoTime()));
      return Outcome.INFO;
    }
  }

  @Override
  public void finalReads(KvClient client, long deadlineNanos) {
    long process = processBase + RegisterWorkload.FINAL_PROCESS;
    while (read(client, process, true) == null || finalBalances == null) {
      if (System.nanoTime() > deadlineNanos) {
        break;
      }
      RegisterWorkload.pause(200); // retry pacing, bounded by the deadline
    }
    byte[] prefix = bytes(ledgerPrefix());
    while (true) {
      history.record(Event.invoke(process, "read-ledger", tag, null, System.nanoTime()));
      try {
        Map<String, String> ledger = new TreeMap<>();
        byte[] after = null;
        do {
          Scan.Page page = client.scanPrefix(prefix, after, 5_000, ReadOptions.LINEARIZABLE);
          for (KeyValue kv : page.entries()) {
            String k = new String(kv.key(), StandardCharsets.UTF_8);
            ledger.put(
                k.substring(ledgerPrefix().length()),
                new String(kv.value(), StandardCharsets.UTF_8));
          }
          after = page.nextAfter();
        } while (after != null);
        history.record(
            Event.ok(
                process, "read-ledger", tag, new ArrayList<>(ledger.keySet()), System.nanoTime()));
        finalLedger = ledger;
        return;
      } catch (RuntimeException e) {
        history.record(Event.fail(process, "read-ledger", tag, null, System.nanoTime()));
        if (System.nanoTime() > deadlineNanos) {
          return;
        }
        RegisterWorkload.pause(200); // retry pacing, bounded by the deadline
      }
    }
  }

  @Override
  public WorkloadCheck check() {
    return check(name(), tag, history.snapshot().operations(), finalBalances, finalLedger);
  }

  /**
   * The bank checks.
   *
   * @param balances the final balances, null if no final read succeeded
   * @param ledger the final ledger, transfer id → "from to amount", null if not read
   */
  static WorkloadCheck check(
      String workload,
      String tag,
      List<Operation> ops,
      List<Long> balances,
      Map<String, String> ledger) {
    List<Anomaly> anomalies = new ArrayList<>();
    long total = ACCOUNTS * INITIAL;
    long reads = 0;
    long badReads = 0;
    Map<String, Operation> transfers = new HashMap<>();
    long ok = 0;
    long fail = 0;
    long info = 0;
    for (Operation op : ops) {
      if (op.f().equals("read") && op.outcome() == Operation.Outcome.OK) {
        reads++;
        String why = invalidRead((List<?>) op.output(), total);
        if (why != null) {
          badReads++;
          if (badReads <= 10) {
            anomalies.add(new Anomaly(workload, why, tag, op.toString()));
          }
        }
      } else if (op.f().equals("transfer")) {
        transfers.put(((List<?>) op.input()).get(0).toString(), op);
        switch (op.outcome()) {
          case OK -> ok++;
          case FAIL -> fail++;
          default -> info++;
        }
      }
    }
    if (badReads > 10) {
      anomalies.add(
          new Anomaly(workload, "bad-reads", tag, badReads + " reads broke the invariant"));
    }
    long infoApplied = 0;
    if (balances == null || ledger == null) {
      anomalies.add(
          new Anomaly(workload, "final-read-failed", tag, "no final read of balances and ledger"));
    } else {
      long[] expected = new long[ACCOUNTS];
      java.util.Arrays.fill(expected, INITIAL);
      List<String> lost = new ArrayList<>();
      for (Operation t : transfers.values()) {
        String id = ((List<?>) t.input()).get(0).toString();
        if (t.outcome() == Operation.Outcome.OK && !ledger.containsKey(id)) {
          lost.add(id);
        }
      }
      if (!lost.isEmpty()) {
        lost.sort(null);
        anomalies.add(
            new Anomaly(
                workload,
                "lost-transfer",
                tag,
                lost.size() + " acknowledged transfer(s) not in the ledger: " + lost));
      }
      for (Map.Entry<String, String> e : ledger.entrySet()) {
        Operation t = transfers.get(e.getKey());
        String[] parts = e.getValue().split(" ");
        if (t == null) {
          anomalies.add(
              new Anomaly(workload, "invented-transfer", tag, e.getKey() + " = " + e.getValue()));
          continue;
        }
        List<?> in = (List<?>) t.input();
        String recorded = in.get(1) + " " + in.get(2) + " " + in.get(3);
        if (!recorded.equals(e.getValue())) {
          anomalies.add(
              new Anomaly(
                  workload,
                  "invented-transfer",
                  tag,
                  e.getKey() + " = " + e.getValue() + ", invoked as " + recorded));
          continue;
        }
        if (t.outcome() == Operation.Outcome.FAIL) {
          anomalies.add(new Anomaly(workload, "failed-transfer-applied", tag, t.toString()));
        } else if (t.isIndeterminate()) {
          infoApplied++;
        }
        int from = Integer.parseInt(parts[0]);
        int to = Integer.parseInt(parts[1]);
        long amount = Long.parseLong(parts[2]);
        expected[from] -= amount;
        expected[to] += amount;
      }
      for (int i = 0; i < ACCOUNTS; i++) {
        if (balances.get(i) != expected[i]) {
          anomalies.add(
              new Anomaly(
                  workload,
                  "ledger-mismatch",
                  tag,
                  "final balances "
                      + balances
                      + " but the ledger implies "
                      + java.util.Arrays.toString(expected)));
          break;
        }
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("reads", reads);
    stats.put("transfersOk", ok);
    stats.put("transfersFail", fail);
    stats.put("transfersInfo", info);
    stats.put("infoTransfersApplied", infoApplied);
    stats.put("ledgerEntries", ledger == null ? -1 : ledger.size());
    stats.put("finalBalances", balances == null ? "none" : balances.toString());
    return new WorkloadCheck(workload, null, anomalies, stats);
  }

  /** Why a read breaks the invariant, or null if it does not. */
  private static String invalidRead(List<?> balances, long total) {
    if (balances.size() != ACCOUNTS) {
      return "account-missing";
    }
    long sum = 0;
    for (Object b : balances) {
      long v;
      try {
        v = Long.parseLong(String.valueOf(b));
      } catch (NumberFormatException e) {
        return "bad-balance";
      }
      if (v < 0) {
        return "negative-balance";
      }
      sum += v;
    }
    return sum == total ? null : "total-changed";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
