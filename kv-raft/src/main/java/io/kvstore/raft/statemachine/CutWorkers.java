package io.kvstore.raft.statemachine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that read consistent cuts (replica hashes, snapshot exports) off the apply threads.
 * Two per process, shared by every partition: a check hashes all partitions of a node, which should
 * not take every core from the apply threads. Idle threads exit.
 */
public final class CutWorkers {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService POOL = newPool();

  private CutWorkers() {}

  private static ExecutorService newPool() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "kv-cut-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              t.setPriority(Thread.NORM_PRIORITY - 1);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Runs {@code task} on a cut worker. */
  public static void submit(Runnable task) {
    POOL.execute(task);
  }
}
