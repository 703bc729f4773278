package io.kvstore.cli;

import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.GetCheckRequest;
import io.kvstore.client.proto.GetCheckResponse;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.client.proto.StartCheckRequest;
import io.kvstore.client.proto.StartCheckResponse;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv check}: compares the replicas of every partition. A COMPUTE_HASH entry goes into each
 * partition's log; every replica hashes its keys, values and versions as of that entry (so all at
 * the same applied index), and this command collects the hashes from every replica. Replicas whose
 * hash differs from the others' are reported; so are replicas that could not be compared.
 */
@Command(
    name = "check",
    description =
        "Compare the replicas of every partition by a hash of their keys, values and versions at "
            + "the same log index (exit 6 if replicas differ, 3 if some could not be compared).")
final class ReplicaCheckCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("PARTITION", "INDEX", "REPLICA", "KEYS", "HASH", "RESULT");

  @Spec CommandSpec spec;

  @Option(
      names = {"-p", "--partition"},
      split = ",",
      paramLabel = "P",
      description = "Only these partitions (comma-separated); default: all.")
  List<Integer> only;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description = "How long to wait for every replica's hash (default: 2m).")
  Duration wait;

  /** One replica's answer. */
  private static final class Replica {
    final int partition;
    final String node;
    final String endpoint;
    GetCheckResponse answer;
    String error;
    String result;

    Replica(int partition, String node, String endpoint) {
      this.partition = partition;
      this.node = node;
      this.endpoint = endpoint;
    }

    boolean settled(long checkIndex) {
      if (answer == null) {
        return false;
      }
      GetCheckResponse.State s = answer.getState();
      return s == GetCheckResponse.State.DONE
          || s == GetCheckResponse.State.FAILED
          || (s == GetCheckResponse.State.UNKNOWN && answer.getAppliedIndex() >= checkIndex);
    }
  }

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    long checkId = new SecureRandom().nextLong();
    Map<Integer, Long> indexes = new HashMap<>();
    Map<Integer, String> startErrors = new HashMap<>();
    List<Replica> replicas = new ArrayList<>();
    List<PartitionInfo> partitions;
    try (KvClient client = kv.openClient();
        AdminChannels admin = new AdminChannels()) {
      ClusterMapResponse map = client.clusterMap();
      partitions = select(map);
      ExecutorService pool =
          Executors.newFixedThreadPool(
              Math.max(1, Math.min(8, partitions.size())),
              r -> {
                Thread t = new Thread(r, "kv-check");
                t.setDaemon(true);
                return t;
              });
      try {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (PartitionInfo p : partitions) {
          starts.add(
              CompletableFuture.runAsync(
                  () -> {
                    try {
                      long index = start(admin, map, p, checkId, kv.timeout);
                      synchronized (indexes) {
                        indexes.put(p.getId(), index);
                      }
                    } catch (RuntimeException e) {
                      synchronized (startErrors) {
                        startErrors.put(p.getId(), ErrorHandler.describe(e));
                      }
                    }
                  },
                  pool));
        }
        starts.forEach(CompletableFuture::join);
      } finally {
        pool.shutdownNow();
      }
      for (PartitionInfo p : partitions) {
        for (String r : p.getReplicasList()) {
          replicas.add(new Replica(p.getId(), r, AdminChannels.endpointOf(map, r)));
        }
      }
      collect(admin, replicas, indexes, checkId, kv.timeout);
    }
    return report(kv, partitions, replicas, indexes, startErrors);
  }

  private List<PartitionInfo> select(ClusterMapResponse map) {
    List<PartitionInfo> all = new ArrayList<>(map.getPartitionsList());
    all.sort(Comparator.comparingInt(PartitionInfo::getId));
    if (only == null || only.isEmpty()) {
      return all;
    }
    for (int p : only) {
      if (p < 0 || p >= all.size()) {
        throw new InputException(
            "partition " + p + " does not exist (0.." + (all.size() - 1) + ")");
      }
    }
    TreeSet<Integer> wanted = new TreeSet<>(only);
    return all.stream().filter(p -> wanted.contains(p.getId())).toList();
  }

  /** Appends the check's entry through the partition's leader; returns its log index. */
  private static long start(
      AdminChannels admin,
      ClusterMapResponse map,
      PartitionInfo p,
      long checkId,
      Duration timeout) {
    List<String> candidates = AdminChannels.replicasLeaderFirst(map, p);
    String endpoint = candidates.get(0);
    int next = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        StartCheckResponse r =
            admin
                .blocking(endpoint)
                .withDeadlineAfter(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
                .startCheck(
                    StartCheckRequest.newBuilder()
                        .setPartition(p.getId())
                        .setCheckId(checkId)
                        .build());
        return r.getIndex();
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        String hint = AdminChannels.leaderHint(e);
        if (hint != null && !hint.equals(endpoint)) {
          endpoint = hint;
          continue;
        }
        next = (next + 1) % candidates.size();
        endpoint = candidates.get(next);
        pause(200);
      }
    }
  }

  /** Polls every replica until each has answered for good or the wait is over. */
  private void collect(
      AdminChannels admin,
      List<Replica> replicas,
      Map<Integer, Long> indexes,
      long checkId,
      Duration timeout) {
    long deadline = System.nanoTime() + wait.toNanos();
    long attemptMs = Math.max(1, Math.min(timeout.toMillis(), 3000));
    while (true) {
      boolean pending = false;
      for (Replica r : replicas) {
        Long index = indexes.get(r.partition);
        if (index == null || r.settled(index)) {
          continue;
        }
        if (r.endpoint == null) {
          r.error = "not in the cluster map";
          continue;
        }
        try {
          r.answer =
              admin
                  .blocking(r.endpoint)
                  .withDeadlineAfter(attemptMs, TimeUnit.MILLISECONDS)
                  .getCheck(
                      GetCheckRequest.newBuilder()
                          .setPartition(r.partition)
                          .setCheckId(checkId)
                          .build());
          r.error = null;
        } catch (StatusRuntimeException e) {
          r.error = ErrorHandler.describe(e);
        }
        if (!r.settled(index)) {
          pending = true;
        }
      }
      if (!pending || System.nanoTime() > deadline) {
        return;
      }
      pause(100);
    }
  }

  private int report(
      Kv kv,
      List<PartitionInfo> partitions,
      List<Replica> replicas,
      Map<Integer, Long> indexes,
      Map<Integer, String> startErrors) {
    int consistent = 0;
    List<Integer> diverged = new ArrayList<>();
    List<Integer> incomplete = new ArrayList<>();
    for (PartitionInfo p : partitions) {
      List<Replica> rs = replicas.stream().filter(r -> r.partition == p.getId()).toList();
      if (!indexes.containsKey(p.getId())) {
        rs.forEach(r -> r.result = "not started: " + startErrors.get(p.getId()));
        incomplete.add(p.getId());
        continue;
      }
      Map<String, Integer> votes = new HashMap<>();
      for (Replica r : rs) {
        if (r.answer != null && r.answer.getState() == GetCheckResponse.State.DONE) {
          votes.merge(hex(r), 1, Integer::sum);
        }
      }
      int best = votes.values().stream().max(Integer::compare).orElse(0);
      long leaders = votes.values().stream().filter(v -> v == best).count();
      String majority =
          leaders == 1
              ? votes.entrySet().stream()
                  .filter(e -> e.getValue() == best)
                  .findFirst()
                  .orElseThrow()
                  .getKey()
              : null;
      boolean differs = votes.size() > 1;
      boolean missing = false;
      for (Replica r : rs) {
        if (r.answer != null && r.answer.getState() == GetCheckResponse.State.DONE) {
          r.result = !differs ? "ok" : hex(r).equals(majority) ? "ok (majority)" : "DIFFERS";
        } else {
          missing = true;
          r.result = incompleteReason(r);
        }
      }
      if (differs) {
        diverged.add(p.getId());
      } else if (missing) {
        incomplete.add(p.getId());
      } else {
        consistent++;
      }
    }
    print(kv, replicas, indexes, consistent, diverged, incomplete);
    PrintWriter err = spec.commandLine().getErr();
    if (!diverged.isEmpty()) {
      err.println("kv: replicas differ in partitions " + diverged);
      err.flush();
      return ExitCodes.DIVERGED;
    }
    if (!incomplete.isEmpty()) {
      err.println("kv: replicas of partitions " + incomplete + " could not be compared");
      err.flush();
      return ExitCodes.UNAVAILABLE;
    }
    return ExitCodes.OK;
  }

  private static String incompleteReason(Replica r) {
    if (r.answer == null) {
      return "unreachable: " + (r.error == null ? "no answer" : r.error);
    }
    return switch (r.answer.getState()) {
      case FAILED -> "failed: " + r.answer.getError();
      case RUNNING -> "still hashing";
      case UNKNOWN ->
          "no hash (replica at index " + r.answer.getAppliedIndex() + " did not apply the check)";
      default -> "?";
    };
  }

  private void print(
      Kv kv,
      List<Replica> replicas,
      Map<Integer, Long> indexes,
      int consistent,
      List<Integer> diverged,
      List<Integer> incomplete) {
    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Replica r : replicas) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partition", r.partition);
        row.put("index", indexes.get(r.partition));
        row.put("replica", r.node);
        boolean done = r.answer != null && r.answer.getState() == GetCheckResponse.State.DONE;
        row.put("keys", done ? r.answer.getKeys() : null);
        row.put("sha256", done ? hex(r) : null);
        row.put("result", r.result);
        rows.add(row);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("replicas", rows);
      doc.put("consistent", consistent);
      doc.put("diverged", diverged);
      doc.put("incomplete", incomplete);
      out.println(Json.render(doc));
    } else {
      TextTable t = new TextTable(COLUMNS);
      for (Replica r : replicas) {
        boolean done = r.answer != null && r.answer.getState() == GetCheckResponse.State.DONE;
        Long index = indexes.get(r.partition);
        t.add(
            List.of(
                Integer.toString(r.partition),
                index == null ? "-" : Long.toString(index),
                r.node,
                done ? Long.toString(r.answer.getKeys()) : "-",
                done ? hex(r).substring(0, 16) : "-",
                r.result));
      }
      t.print(out, kv.output());
      if (kv.output() == OutputFormat.table) {
        out.println(
            "checked "
                + (consistent + diverged.size() + incomplete.size())
                + " partitions: "
                + consistent
                + " consistent, "
                + diverged.size()
                + " with differing replicas, "
                + incomplete.size()
                + " not comparable");
      }
    }
    out.flush();
  }

  private static String hex(Replica r) {
    return HexFormat.of().formatHex(r.answer.getHash().toByteArray());
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // polling interval / backoff, not synchronization
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
