package io.kvstore.cli.drill;

import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.Operation;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.ReadOptions;
import io.kvstore.client.Scan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Jepsen set workload: clients add unique elements, one key per element ({@code
 * <set>/e<client>-<n>}, no hash tag, so the elements spread over every partition); after healing,
 * one final read lists the set with a linearizable prefix scan over all partitions.
 *
 * <p>Recorded as {@code add} (key = the element's key, value = the element) and one final {@code
 * read} of the set's name whose value is every element found. Checks: every acknowledged add is in
 * the final read ({@code lost-element}), nothing is there that was never added ({@code
 * invented-element}) or whose add definitely failed ({@code failed-add-present}); indeterminate
 * adds may be either. Error classification as in {@link RegisterWorkload}.
 */
public final class SetWorkload implements Workload {
  private static final int SCAN_PAGE = 5_000;

  private final List<String> endpoints;
  private final int clients;
  private final long maxOps;
  private final Duration requestTimeout;
  private final HistoryRecorder history = new HistoryRecorder();
  private final long processBase;
  private final Random seeds;
  private final String setName;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong opsDone = new AtomicLong();
  private volatile Set<String> finalElements;

  public SetWorkload(
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
    this.seeds = new Random(seed ^ 0x5E7L);
    this.setName = "set-" + Long.toHexString(seed & 0xffffffL);
  }

  @Override
  public String name() {
    return "set";
  }

  @Override
  public void stop() {
    stop.set(true);
  }

  @Override
  public History history() {
    return history.snapshot();
  }

  @Override
  public void run(long deadlineNanos) throws InterruptedException {
    Workload.runClients("set", clients, seeds, (id, seed) -> client(id, seed, deadlineNanos));
  }

  private void client(int id, long seed, long deadlineNanos) {
    long process = processBase + id;
    long counter = 0;
    try (KvClient client = Workload.openClient(endpoints, requestTimeout)) {
      while (!stop.get() && System.nanoTime() < deadlineNanos) {
        if (opsDone.incrementAndGet() > maxOps) {
          break;
        }
        String element = "e" + id + "-" + counter++;
        String key = setName + "/" + element;
        history.record(Event.invoke(process, "add", key, element, System.nanoTime()));
        try {
          client.put(bytes(key), bytes("1"));
          history.record(Event.ok(process, "add", key, element, System.nanoTime()));
        } catch (KvInvalidArgumentException e) {
          history.record(Event.fail(process, "add", key, element, System.nanoTime()));
        } catch (RuntimeException e) {
          history.record(Event.info(process, "add", key, element, System.nanoTime()));
          process += clients;
        }
      }
    }
  }

  @Override
  public void finalReads(KvClient client, long deadlineNanos) {
    long process = processBase + RegisterWorkload.FINAL_PROCESS;
    byte[] prefix = bytes(setName + "/");
    while (true) {
      history.record(Event.invoke(process, "read", setName, null, System.nanoTime()));
      try {
        List<String> elements = new ArrayList<>();
        byte[] after = null;
        do {
          Scan.Page page = client.scanPrefix(prefix, after, SCAN_PAGE, ReadOptions.LINEARIZABLE);
          for (KeyValue kv : page.entries()) {
            String k = new String(kv.key(), StandardCharsets.UTF_8);
            elements.add(k.substring(setName.length() + 1));
          }
          after = page.nextAfter();
        } while (after != null);
        history.record(Event.ok(process, "read", setName, elements, System.nanoTime()));
        finalElements = new HashSet<>(elements);
        return;
      } catch (RuntimeException e) {
        history.record(Event.fail(process, "read", setName, null, System.nanoTime()));
        if (System.nanoTime() > deadlineNanos) {
          return;
        }
        RegisterWorkload.pause(200); // retry pacing, bounded by the deadline
      }
    }
  }

  @Override
  public WorkloadCheck check() {
    return check(name(), history.snapshot().operations(), finalElements);
  }

  /** The set checks over add operations and the final read's elements (null: no final read). */
  static WorkloadCheck check(String workload, List<Operation> ops, Set<String> found) {
    List<Anomaly> anomalies = new ArrayList<>();
    Map<String, Operation.Outcome> adds = new LinkedHashMap<>();
    for (Operation op : ops) {
      if (op.f().equals("add")) {
        adds.put((String) op.input(), op.outcome());
      }
    }
    long ok = 0;
    long fail = 0;
    long info = 0;
    long infoPresent = 0;
    Set<String> lost = new TreeSet<>();
    for (Map.Entry<String, Operation.Outcome> e : adds.entrySet()) {
      boolean present = found != null && found.contains(e.getKey());
      switch (e.getValue()) {
        case OK -> {
          ok++;
          if (found != null && !present) {
            lost.add(e.getKey());
          }
        }
        case FAIL -> {
          fail++;
          if (present) {
            anomalies.add(
                new Anomaly(workload, "failed-add-present", e.getKey(), "add failed, yet found"));
          }
        }
        default -> {
          info++;
          if (present) {
            infoPresent++;
          }
        }
      }
    }
    if (found == null) {
      anomalies.add(new Anomaly(workload, "final-read-failed", "set", "no final read succeeded"));
    } else {
      if (!lost.isEmpty()) {
        anomalies.add(
            new Anomaly(
                workload,
                "lost-element",
                "set",
                lost.size() + " acknowledged add(s) missing: " + first(lost, 20)));
      }
      Set<String> invented = new TreeSet<>(found);
      invented.removeAll(adds.keySet());
      if (!invented.isEmpty()) {
        anomalies.add(
            new Anomaly(
                workload,
                "invented-element",
                "set",
                invented.size() + " element(s) never added: " + first(invented, 20)));
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("addsOk", ok);
    stats.put("addsFail", fail);
    stats.put("addsInfo", info);
    stats.put("infoAddsPresent", infoPresent);
    stats.put("finalSize", found == null ? -1 : found.size());
    return new WorkloadCheck(workload, null, anomalies, stats);
  }

  private static String first(Set<String> s, int n) {
    List<String> out = new ArrayList<>();
    for (String e : s) {
      if (out.size() == n) {
        out.add("...");
        break;
      }
      out.add(e);
    }
    return out.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
