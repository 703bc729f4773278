package io.kvstore.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time on Linux for {@code kv bench --cpu-pids}: the given server processes (utime + stime from
 * {@code /proc/<pid>/stat}), this process (the load generator), and the whole machine (busy time
 * from {@code /proc/stat}); "others" is the machine minus both, i.e. everything that is neither the
 * measured servers nor the load generator. Times in /proc are in USER_HZ (100 per second).
 */
final class CpuSampler {
  private static final double TICKS_PER_SECOND = 100.0;

  /** One reading: seconds of CPU used so far by the servers, this process and the machine. */
  record Sample(double servers, double client, double machine) {
    Usage since(Sample start) {
      return new Usage(servers - start.servers, client - start.client, machine - start.machine);
    }
  }

  /** CPU-seconds over an interval; {@code others} never below zero (sampling skew). */
  record Usage(double servers, double client, double machine) {
    double others() {
      return Math.max(0, machine - servers - client);
    }
  }

  private final List<Long> pids;

  CpuSampler(List<Long> pids) {
    this.pids = List.copyOf(pids);
    for (long pid : pids) {
      if (!Files.isReadable(stat(pid))) {
        throw new InputException("--cpu-pids: no process " + pid + " (or no /proc: Linux only)");
      }
    }
  }

  Sample sample() {
    try {
      double servers = 0;
      for (long pid : pids) {
        servers += processTicks(Files.readString(stat(pid))) / TICKS_PER_SECOND;
      }
      double client =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                  .getProcessCpuTime()
              / 1e9;
      double machine = machineBusyTicks(Files.readString(Path.of("/proc/stat"))) / TICKS_PER_SECOND;
      return new Sample(servers, client, machine);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CPU times from /proc: " + e.getMessage(), e);
    }
  }

  private static Path stat(long pid) {
    return Path.of("/proc", Long.toString(pid), "stat");
  }

  /**
   * utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line. The command name (field 2)
   * is in parentheses and may contain spaces, so fields are counted after the last ')'.
   */
  static long processTicks(String statLine) {
    String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** user + nice + system + irq + softirq + steal of the aggregate "cpu" line of /proc/stat. */
  static long machineBusyTicks(String procStat) {
    String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
    String[] f = line.trim().split("\\s+");
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      if (i < f.length) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }
}
