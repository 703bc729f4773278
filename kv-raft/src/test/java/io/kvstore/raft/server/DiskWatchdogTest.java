package io.kvstore.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskWatchdogTest {
  @TempDir Path dir;

  @Test
  void freeSpaceBelowMinimum_isLowSpace_andNeedsTheResumeThresholdToComeBack() {
    long free = dir.toFile().getUsableSpace();
    DiskWatchdog w = new DiskWatchdog("n1", dir, free * 2, free * 3);
    assertEquals(DiskWatchdog.State.LOW_SPACE, w.check().state());
    assertFalse(w.writable());
    assertTrue(w.health().reason().contains("storage.disk.min-free-mb"), w.health().reason());

    DiskWatchdog ok = new DiskWatchdog("n1", dir, 0, 0);
    assertEquals(DiskWatchdog.State.OK, ok.check().state());
    assertTrue(ok.writable());
  }

  @Test
  void reportedIoError_failsTheDiskUntilACheckFindsItWritableWithRoom() {
    AtomicInteger wakeUps = new AtomicInteger();
    DiskWatchdog w = new DiskWatchdog("n1", dir, 0, 0);
    w.onReport(wakeUps::incrementAndGet);
    assertEquals(DiskWatchdog.State.OK, w.check().state());

    w.ioError(3, "Raft log", new IOException("x", new IOException("No space left on device")));
    w.ioError(4, "store", new IOException("second"));
    assertFalse(w.writable(), "a reported error stops writes at once");
    assertEquals(1, wakeUps.get(), "one early check is asked for");
    DiskWatchdog.Health failed = w.check();
    assertEquals(DiskWatchdog.State.FAILED, failed.state());
    assertEquals("partition 3 Raft log: No space left on device", failed.reason());

    assertEquals(DiskWatchdog.State.OK, w.check().state(), "room and a working probe: back");
    assertTrue(w.writable());
  }

  @Test
  void unwritableDirectory_failsTheProbe() throws IOException {
    Path missing = dir.resolve("gone");
    Files.createDirectories(missing);
    DiskWatchdog w = new DiskWatchdog("n1", missing, 0, 0);
    assertEquals(DiskWatchdog.State.OK, w.check().state());
    Files.delete(missing);
    DiskWatchdog.Health h = w.check();
    assertEquals(DiskWatchdog.State.FAILED, h.state());
    assertFalse(h.reason().isEmpty());
  }
}
