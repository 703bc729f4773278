package io.kvstore.cli.drill;

import io.kvstore.cli.check.CheckResult;
import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.History;
import io.kvstore.cli.check.LinearizabilityChecker;
import io.kvstore.cli.check.Operation;
import io.kvstore.cli.check.RegisterModel;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The lost-write control: a fixed fault schedule under which a store that acknowledges a write
 * before it commits loses it, and a correct store does not. It shows the harness catches lost
 * acknowledged writes; run with the nodes' test-only switch {@code unsafe.ack-before-commit=true}
 * it must report a lost write (and a non-linearizable key), without it it must be clean.
 *
 * <ol>
 *   <li>write {@code c0} to the control key (retried until ok), find the leader L of its partition;
 *   <li>kill -9 every other node, so nothing can commit, and write {@code c1} through L: a correct
 *       L cannot acknowledge it (the client times out: indeterminate), the unsafe one does;
 *   <li>kill -9 L, restart the others: they elect a leader without {@code c1}, and a write of a
 *       probe key in the same partition (same hash tag) commits an entry of the new term, which
 *       overwrites {@code c1} in L's log once L is back;
 *   <li>restart L; after the quiet period the final read of the control key returns {@code c0}.
 * </ol>
 *
 * Killing (rather than pausing) the followers keeps the schedule deterministic: a SIGSTOPped
 * follower would still find L's append requests in its socket buffers when resumed, and could store
 * {@code c1} after all. Recorded as a register history and checked like {@link RegisterWorkload},
 * including its lost-write check.
 */
public final class LostWriteControl implements Workload {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Duration STEP_DEADLINE = Duration.ofSeconds(60);

  private final ProcessNodes nodes;
  private final KeyPartitions partitions;
  private final Consumer<Nemesis.FaultWindow> windows;
  private final HistoryRecorder history = new HistoryRecorder();
  private final long processBase;
  private final String key;
  private final String probe;
  private long process;
  private final Map<String, String> finalValues = new TreeMap<>();
  private final List<String> missing = new ArrayList<>();
  private final Map<String, Object> stats = new LinkedHashMap<>();

  public LostWriteControl(
      ProcessNodes nodes,
      KeyPartitions partitions,
      long seed,
      long processBase,
      Consumer<Nemesis.FaultWindow> windows) {
    if (nodes.size() < 3) {
      throw new IllegalArgumentException("the lost-write control needs at least 3 nodes");
    }
    this.nodes = nodes;
    this.partitions = partitions;
    this.windows = windows;
    this.processBase = processBase;
    this.process = processBase;
    String tag = "{lost-write-" + Long.toHexString(seed & 0xffffffL) + "}";
    this.key = tag + "register";
    this.probe = tag + "probe";
  }

  @Override
  public String name() {
    return "lost-write-control";
  }

  @Override
  public History history() {
    return history.snapshot();
  }

  @Override
  public void stop() {}

  /** Runs the schedule; the deadline only bounds each step's retries. */
  @Override
  public void run(long deadlineNanos) {
    int partition = partitions.of(key);
    try (KvClient client =
        KvClient.builder()
            .endpoints(nodes.clientEndpoints())
            .timeout(TIMEOUT)
            .attemptTimeout(TIMEOUT.dividedBy(2))
            .build()) {
      writeUntilOk(client, key, "c0");
      int leader = leaderOf(client, partition, -1);
      stats.put("partition", partition);
      stats.put("leader", nodes.id(leader));
      long followersDown = System.nanoTime();
      for (int i = 0; i < nodes.size(); i++) {
        if (i != leader) {
          nodes.kill9(i);
        }
      }
      // The client still routes the key to L, the leader it just wrote through.
      Operation.Outcome c1 = write(client, key, "c1");
      stats.put("c1", c1.toString().toLowerCase());
      long leaderDown = System.nanoTime();
      nodes.kill9(leader);
      for (int i = 0; i < nodes.size(); i++) {
        if (i != leader) {
          nodes.start(i);
        }
      }
      long followersUp = System.nanoTime();
      for (int i = 0; i < nodes.size(); i++) {
        if (i != leader) {
          windows.accept(new Nemesis.FaultWindow(Nemesis.Kind.KILL, i, followersDown, followersUp));
        }
      }
      leaderOf(client, partition, leader);
      writeUntilOk(client, probe, "p0");
      nodes.start(leader);
      windows.accept(
          new Nemesis.FaultWindow(Nemesis.Kind.KILL, leader, leaderDown, System.nanoTime()));
      nodes.awaitLeaders(STEP_DEADLINE);
    }
  }

  /** The node leading {@code partition} (polling status), other than {@code not}. */
  private int leaderOf(KvClient client, int partition, int not) {
    long deadline = System.nanoTime() + STEP_DEADLINE.toNanos();
    while (true) {
      for (int i = 0; i < nodes.size(); i++) {
        if (i == not || !nodes.alive(i)) {
          continue;
        }
        ClusterStatusResponse s;
        try {
          s = client.status(nodes.clientEndpoint(i));
        } catch (RuntimeException e) {
          continue;
        }
        for (GroupStatus g : s.getGroupsList()) {
          if (!g.getMeta() && g.getPartition() == partition && g.getRole().equals("LEADER")) {
            return i;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "lost-write control: no leader for partition "
                + partition
                + " within "
                + STEP_DEADLINE);
      }
      RegisterWorkload.pause(100); // polling interval, bounded by the deadline
    }
  }

  private void writeUntilOk(KvClient client, String k, String value) {
    long deadline = System.nanoTime() + STEP_DEADLINE.toNanos();
    while (write(client, k, value) != Operation.Outcome.OK) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "lost-write control: could not write " + k + " within " + STEP_DEADLINE);
      }
      value = value + "'"; // values stay unique across attempts
      RegisterWorkload.pause(200); // retry pacing, bounded by the deadline
    }
  }

  /** One recorded write; a new process id after an indeterminate one, as in Jepsen. */
  private Operation.Outcome write(KvClient client, String k, String value) {
    long p = process;
    history.record(Event.invoke(p, "write", k, value, System.nanoTime()));
    try {
      client.put(RegisterWorkload.bytes(k), RegisterWorkload.bytes(value));
      history.record(Event.ok(p, "write", k, value, System.nanoTime()));
      return Operation.Outcome.OK;
    } catch (KvInvalidArgumentException e) {
      history.record(Event.fail(p, "write", k, value, System.nanoTime()));
      return Operation.Outcome.FAIL;
    } catch (RuntimeException e) {
      history.record(Event.info(p, "write", k, value, System.nanoTime()));
      process++;
      return Operation.Outcome.INDETERMINATE;
    }
  }

  @Override
  public void finalReads(KvClient client, long deadlineNanos) {
    long p = processBase + RegisterWorkload.FINAL_PROCESS;
    for (String k : List.of(key, probe)) {
      String v = RegisterWorkload.finalRead(client, p, k, deadlineNanos, history);
      if (v == RegisterWorkload.MISSING) {
        missing.add(k);
      } else {
        finalValues.put(k, v);
      }
    }
  }

  @Override
  public WorkloadCheck check() {
    List<Operation> ops = history.snapshot().operations();
    CheckResult lin = new LinearizabilityChecker(RegisterModel.absent()).check(ops);
    List<Anomaly> anomalies =
        new ArrayList<>(RegisterWorkload.lostWrites(name(), ops, finalValues));
    for (String k : missing) {
      anomalies.add(new Anomaly(name(), "final-read-failed", k, "no final read succeeded"));
    }
    Map<String, Object> s = new LinkedHashMap<>(stats);
    s.put("finalValue", String.valueOf(finalValues.get(key)));
    return new WorkloadCheck(name(), lin, anomalies, s);
  }
}
