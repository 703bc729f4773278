package io.kvstore.cli;

import io.kvstore.client.ReadOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv bench}: a closed-loop load generator. Keeps {@code --in-flight} requests outstanding
 * for {@code --duration} after a {@code --warmup} (or until {@code --ops} requests), and reports
 * throughput and latency percentiles from an HdrHistogram of client-side latencies. Keys are {@code
 * --key-size} bytes drawn uniformly from {@code --keys} keys; values {@code --value-size} random
 * bytes. Read and mixed workloads first load every key once ({@code --preload}).
 *
 * <p>{@code --target} picks what is driven: this store (default) or another {@link BenchTarget}
 * found on the classpath (the kv-bench module adds {@code etcd}), so both see the same engine,
 * workloads, key choice and histograms. {@code --csv FILE} appends each result as a CSV row.
 */
@Command(
    name = "bench",
    description = "Measure throughput and latency against the cluster.",
    subcommands = {BenchLoadCommand.class})
final class BenchCommand implements Callable<Integer> {
  enum Workload {
    write,
    read,
    mixed
  }

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      defaultValue = "write",
      paramLabel = "WORKLOAD",
      description = "write, read (linearizable) or mixed (default: write).")
  Workload workload;

  @Option(names = "--in-flight", defaultValue = "64", description = "Requests outstanding at once.")
  int inFlight;

  @Option(
      names = "--duration",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Measured time after warm-up (default: 15s).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "Unmeasured time before measuring (default: 3s).")
  Duration warmup;

  @Option(
      names = "--ops",
      defaultValue = "10000000",
      description = "Stop after this many requests.")
  long maxOps;

  @Option(names = "--keys", defaultValue = "100000", description = "Number of distinct keys.")
  int keys;

  @Option(names = "--key-size", defaultValue = "16", description = "Key size in bytes (>= 8).")
  int keySize;

  @Option(names = "--value-size", defaultValue = "128", description = "Value size in bytes.")
  int valueSize;

  @Option(
      names = "--distribution",
      defaultValue = "uniform",
      description = "Key choice: uniform or zipfian (theta 0.99, hot keys scrambled).")
  String distribution;

  @Option(
      names = "--consistency",
      defaultValue = "linearizable",
      description = "Read level, as for get: linearizable, lease, bounded[=DURATION[,N]], any.")
  String consistency;

  @Option(
      names = "--value-json",
      description = "Values are JSON documents (compressible) instead of random bytes.")
  boolean valueJson;

  @Option(names = "--read-ratio", defaultValue = "0.5", description = "Reads share in mixed.")
  double readRatio;

  @Option(
      names = "--target",
      defaultValue = "store",
      description =
          "What to drive: store (default), or a target on the classpath, e.g. etcd "
              + "(kv-bench; --endpoints then lists etcd client addresses).")
  String target;

  enum Preload {
    auto,
    only,
    skip
  }

  @Option(
      names = "--preload",
      defaultValue = "auto",
      description =
          "Write every key once first: auto (read and mixed only, default), only (load, report "
              + "the load and stop), skip (keys already loaded).")
  Preload preload;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      description = "Also append the result as a CSV row to FILE (header when FILE is new).")
  Path csv;

  @Option(
      names = "--cpu-pids",
      split = ",",
      paramLabel = "PID",
      description =
          "Linux: also report CPU-seconds over the measured time of these server processes, of "
              + "this load generator, and of everything else on the machine (noisy when others "
              + "used more than 20% of a core).")
  List<Long> cpuPids;

  private ZipfianKeys zipfian;
  private CpuSampler cpu;

  @Override
  public Integer call() throws Exception {
    if (distribution.equals("zipfian")) {
      zipfian = new ZipfianKeys(keys, 0.99);
    } else if (!distribution.equals("uniform")) {
      throw new InputException("--distribution must be uniform or zipfian");
    }
    if (inFlight < 1
        || keys < 1
        || keySize < 8
        || valueSize < 0
        || readRatio < 0
        || readRatio > 1) {
      throw new InputException(
          "--in-flight, --keys >= 1, --key-size >= 8, --value-size >= 0, "
              + "--read-ratio in 0..1");
    }
    Kv kv = Kv.of(spec);
    PrintWriter err = spec.commandLine().getErr();
    cpu = cpuPids == null || cpuPids.isEmpty() ? null : new CpuSampler(cpuPids);
    try (BenchTarget client = openTarget(kv)) {
      if (preload == Preload.only || (preload == Preload.auto && workload != Workload.write)) {
        err.printf("loading %d keys...%n", keys);
        err.flush();
        Result load =
            run(client, Workload.write, Duration.ZERO, Duration.ofDays(1), keys, true, null);
        if (preload == Preload.only) {
          print(kv, "preload", load);
        }
        if (load.errors > 0) {
          err.printf("kv: %d of %d preload writes failed%n", load.errors, keys);
          err.flush();
          return ExitCodes.UNAVAILABLE;
        }
        if (preload == Preload.only) {
          return ExitCodes.OK;
        }
      }
      Result r = run(client, workload, warmup, duration, maxOps, false, err);
      print(kv, workload.name(), r);
    }
    return ExitCodes.OK;
  }

  /** The store, or the {@link BenchTarget.Factory} named {@code --target} on the classpath. */
  private BenchTarget openTarget(Kv kv) {
    if (target.equals("store")) {
      return new StoreBenchTarget(kv.openClient(), parseConsistency(consistency));
    }
    for (BenchTarget.Factory f : ServiceLoader.load(BenchTarget.Factory.class)) {
      if (f.name().equals(target)) {
        return f.open(new BenchTarget.Settings(kv.endpointList(), kv.timeout, consistency));
      }
    }
    throw new InputException(
        "--target "
            + target
            + ": unknown; store is built in, others need their module on the classpath "
            + "(etcd: kv-bench, see docs/performance.md)");
  }

  record Result(long ops, long errors, double seconds, Histogram latency, CpuSampler.Usage cpu) {}

  private Result run(
      BenchTarget client,
      Workload w,
      Duration warm,
      Duration measure,
      long limit,
      boolean sequentialKeys,
      PrintWriter progress)
      throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    Recorder recorder = new Recorder(3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    byte[] value = valueJson ? jsonValue(valueSize) : new byte[valueSize];
    if (!valueJson) {
      new Random(1).nextBytes(value);
    }
    long start = System.nanoTime();
    long measureFrom = start + warm.toNanos();
    long end = measureFrom + measure.toNanos();
    long nextProgress = start + TimeUnit.SECONDS.toNanos(5);
    long okAtProgress = 0;
    boolean measuring = warm.isZero();
    CpuSampler.Sample cpuAtMeasure = cpu == null ? null : cpu.sample();
    long okAtMeasure = 0;
    long errAtMeasure = 0;
    for (long n = 0; n < limit; n++) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (!measuring && now >= measureFrom) {
        measuring = true;
        okAtMeasure = ok.get();
        errAtMeasure = errors.get();
        recorder.reset();
        cpuAtMeasure = cpu == null ? null : cpu.sample();
      }
      if (progress != null && now >= nextProgress) {
        long okNow = ok.get();
        progress.printf(
            "  %5.1fs  %d ok  %d errors  %.0f ops/s%s%n",
            (now - start) / 1e9,
            okNow,
            errors.get(),
            (okNow - okAtProgress) / ((now - nextProgress) / 1e9 + 5),
            measuring ? "" : "  (warm-up)");
        progress.flush();
        okAtProgress = okNow;
        nextProgress = now + TimeUnit.SECONDS.toNanos(5);
      }
      permits.acquire();
      int k =
          sequentialKeys
              ? (int) (n % keys)
              : zipfian != null ? zipfian.next() : ThreadLocalRandom.current().nextInt(keys);
      byte[] key = key(k);
      boolean read =
          w == Workload.read
              || (w == Workload.mixed && ThreadLocalRandom.current().nextDouble() < readRatio);
      long t0 = System.nanoTime();
      CompletableFuture<?> f = read ? client.get(key) : client.put(key, value);
      f.whenComplete(
          (r, e) -> {
            if (e == null) {
              recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
              ok.incrementAndGet();
            } else {
              errors.incrementAndGet();
            }
            permits.release();
          });
    }
    permits.acquire(inFlight);
    double seconds = (System.nanoTime() - Math.min(measureFrom, System.nanoTime())) / 1e9;
    return new Result(
        ok.get() - okAtMeasure,
        errors.get() - errAtMeasure,
        seconds,
        recorder.getIntervalHistogram(),
        cpu == null ? null : cpu.sample().since(cpuAtMeasure));
  }

  /** {@code k} then the key number, zero-padded to exactly {@code --key-size} bytes. */
  private byte[] key(int k) {
    String s = String.format("k%0" + (keySize - 1) + "d", k);
    return s.substring(s.length() - keySize).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private void print(Kv kv, String workloadName, Result r) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    double opsPerSec = r.ops / Math.max(1e-9, r.seconds);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("target", target);
    row.put("workload", workloadName);
    row.put("consistency", workload == Workload.write ? "-" : consistency);
    row.put("inFlight", inFlight);
    row.put("ops", r.ops);
    row.put("errors", r.errors);
    row.put("seconds", round(r.seconds));
    row.put("opsPerSec", round(opsPerSec));
    row.put("p50Ms", ms(r.latency.getValueAtPercentile(50)));
    row.put("p99Ms", ms(r.latency.getValueAtPercentile(99)));
    row.put("p999Ms", ms(r.latency.getValueAtPercentile(99.9)));
    row.put("maxMs", ms(r.latency.getMaxValue()));
    Map<String, Object> cpuRow = new LinkedHashMap<>();
    if (r.cpu != null) {
      cpuRow.put("serverCpuS", round(r.cpu.servers()));
      cpuRow.put("clientCpuS", round(r.cpu.client()));
      cpuRow.put("otherCpuS", round(r.cpu.others()));
      cpuRow.put("serverCpuSPer1kOps", round4(r.cpu.servers() * 1000 / Math.max(1, r.ops)));
      cpuRow.put("noisy", r.cpu.others() > 0.2 * r.seconds);
    }
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> all = new LinkedHashMap<>(row);
      all.putAll(cpuRow);
      out.println(Json.render(all));
    } else {
      TextTable t =
          new TextTable(
              List.of(
                  "TARGET",
                  "WORKLOAD",
                  "CONSISTENCY",
                  "IN-FLIGHT",
                  "OPS",
                  "ERRORS",
                  "SECONDS",
                  "OPS/S",
                  "P50 MS",
                  "P99 MS",
                  "P99.9 MS",
                  "MAX MS"));
      t.add(row.values().stream().map(String::valueOf).toList());
      t.print(out, kv.output());
      if (r.cpu != null) {
        out.printf(
            "cpu-seconds: servers %.2f (%.4f per 1000 ops), load generator %.2f, others %.2f%s%n",
            r.cpu.servers(),
            r.cpu.servers() * 1000 / Math.max(1, r.ops),
            r.cpu.client(),
            r.cpu.others(),
            r.cpu.others() > 0.2 * r.seconds ? " (noisy: others above 20% of a core)" : "");
      }
    }
    out.flush();
    if (csv != null) {
      Map<String, Object> all = new LinkedHashMap<>(row);
      all.putAll(cpuRow);
      appendCsv(csv, all);
    }
  }

  /** Appends {@code row} to {@code file}, writing the header first when the file is new. */
  static void appendCsv(Path file, Map<String, Object> row) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (!Files.exists(file) || Files.size(file) == 0) {
      sb.append(String.join(",", row.keySet())).append('\n');
    }
    sb.append(String.join(",", row.values().stream().map(BenchCommand::csvCell).toList()));
    sb.append('\n');
    Files.writeString(
        file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String csvCell(Object v) {
    String s = String.valueOf(v);
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  /** A ledger-like JSON document of exactly {@code size} bytes (padded with spaces). */
  static byte[] jsonValue(int size) {
    Random rnd = new Random(7);
    StringBuilder sb = new StringBuilder("{\"account\":\"ACC-").append(rnd.nextInt(1_000_000));
    sb.append("\",\"currency\":\"EUR\",\"entries\":[");
    while (sb.length() < size) {
      sb.append("{\"id\":\"TX").append(Long.toHexString(rnd.nextLong()));
      sb.append("\",\"amount\":").append(rnd.nextInt(100_000) / 100.0);
      sb.append(",\"type\":\"").append(rnd.nextBoolean() ? "debit" : "credit");
      sb.append("\",\"status\":\"settled\"},");
    }
    byte[] out = new byte[size];
    java.util.Arrays.fill(out, (byte) ' ');
    byte[] text = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    System.arraycopy(text, 0, out, 0, Math.min(size, text.length));
    return out;
  }

  /** The read level, parsed as {@code kv get --consistency} does. */
  static ReadOptions parseConsistency(String s) {
    try {
      return new ConsistencyOption.Converter().convert(s);
    } catch (Exception e) {
      throw new InputException("--consistency: " + e.getMessage());
    }
  }

  private static double ms(long micros) {
    return round(micros / 1000.0);
  }

  private static double round4(double v) {
    return Math.round(v * 10000) / 10000.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
