package io.kvstore.raft.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition by polling with a deadline; never sleeps as a means of ordering. */
public final class Poll {
  private Poll() {}

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException ignored) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      pause();
    }
  }

  /** Polls until {@code supplier} returns non-null and returns it. */
  public static <T> T value(String what, Duration timeout, Supplier<T> supplier) {
    Object[] out = new Object[1];
    until(what, timeout, () -> (out[0] = supplier.get()) != null);
    @SuppressWarnings("unchecked")
    T t = (T) out[0];
    return t;
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}
