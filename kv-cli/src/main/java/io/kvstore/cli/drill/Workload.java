package io.kvstore.cli.drill;

import io.kvstore.cli.check.History;
import io.kvstore.client.KvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A drill workload: client threads that drive one kind of operation against the cluster and record
 * every invocation and completion into their own {@link HistoryRecorder}, a final read phase after
 * the faults are healed, and the check of the resulting history.
 *
 * <p>Life cycle, driven by {@link DrillRun}: {@link #setup} once the cluster has leaders (before
 * the nemesis starts), {@link #run} until the deadline while the nemesis works, {@link #finalReads}
 * after healing and a quiet period, then {@link #check} on {@link #history()}. Workloads of one run
 * use disjoint keys and disjoint process ids ({@code processBase}), so their histories can be
 * merged into one file.
 */
public interface Workload {
  /** {@code register}, {@code bank} or {@code set}. */
  String name();

  /**
   * Prepares state the workload needs (e.g. opening balances); must succeed before {@link #run}.
   */
  default void setup(KvClient client, long deadlineNanos) {}

  /** Runs the clients until {@code deadlineNanos}, the op limit, or {@link #stop}. */
  void run(long deadlineNanos) throws InterruptedException;

  /** Asks the clients to finish their current operation and stop. */
  void stop();

  /**
   * Linearizable reads of everything the workload wrote, recorded into its history; each read is
   * retried (as a new operation) until it succeeds or {@code deadlineNanos} passes.
   */
  void finalReads(KvClient client, long deadlineNanos);

  /** What the workload recorded so far. */
  History history();

  /** Checks {@link #history()} after the final reads. */
  WorkloadCheck check();

  /** One client thread's body: its index and its own seed. */
  interface ClientBody {
    void run(int id, long seed);
  }

  /**
   * Runs {@code clients} daemon threads named {@code drill-<name>-<i>}, each with the next seed of
   * {@code seeds} (drawn in client order, so a run replays from its seed), and waits for all.
   */
  static void runClients(String name, int clients, Random seeds, ClientBody body)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int id = c;
      long seed = seeds.nextLong();
      Thread t = new Thread(() -> body.run(id, seed), "drill-" + name + "-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }

  /** A workload client: every attempt gets half the request timeout, so one retry fits. */
  static KvClient openClient(List<String> endpoints, Duration requestTimeout) {
    return KvClient.builder()
        .endpoints(endpoints)
        .timeout(requestTimeout)
        .attemptTimeout(requestTimeout.dividedBy(2))
        .build();
  }
}
