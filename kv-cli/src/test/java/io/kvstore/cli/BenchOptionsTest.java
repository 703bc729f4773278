package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kv bench's target, CPU and CSV options, without a cluster. */
class BenchOptionsTest {

  @Test
  void unknownTarget_exitsTwoNamingWhereTargetsComeFrom() {
    oneLineErrorContaining(
        run("bench", "--target", "nosuch", "--ops", "1"), 2, "--target nosuch: unknown");
  }

  @Test
  void cpuPidsOfNoProcess_exitsTwo() {
    oneLineErrorContaining(
        run("bench", "--cpu-pids", "999999999", "--ops", "1"), 2, "--cpu-pids: no process");
  }

  @Test
  void processTicks_countsFieldsAfterTheCommandName() {
    // Field 2 may hold spaces and parentheses; utime (14) = 1234, stime (15) = 56.
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 40 0 99 1 2";
    assertEquals(1290, CpuSampler.processTicks(stat));
  }

  @Test
  void machineBusyTicks_excludesIdleAndIowait() {
    String procStat = "cpu  100 2 30 5000 70 4 5 6 0 0\ncpu0 50 1 15 2500 35 2 2 3 0 0\n";
    assertEquals(100 + 2 + 30 + 4 + 5 + 6, CpuSampler.machineBusyTicks(procStat));
  }

  @Test
  void csv_writesTheHeaderOnceAndQuotesCommas(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.csv");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("target", "store");
    row.put("consistency", "bounded=1s,10");
    row.put("opsPerSec", 12.5);
    BenchCommand.appendCsv(file, row);
    BenchCommand.appendCsv(file, row);
    assertEquals(
        "target,consistency,opsPerSec\n"
            + "store,\"bounded=1s,10\",12.5\n"
            + "store,\"bounded=1s,10\",12.5\n",
        Files.readString(file));
  }
}
