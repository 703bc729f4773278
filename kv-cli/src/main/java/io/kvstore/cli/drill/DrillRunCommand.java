package io.kvstore.cli.drill;

import io.kvstore.client.ReadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kv drill run}: starts a local cluster of node processes, runs the register workload under
 * kill -9 and SIGSTOP faults, checks the history for linearizability and writes a report.
 */
@Command(
    name = "run",
    description = {
      "Start N node processes on 127.0.0.x, run a read/write/cas register workload while a",
      "seeded nemesis kills (-9, then restarts) and pauses (SIGSTOP/SIGCONT) nodes, then check",
      "the history for linearizability. Writes history.jsonl, report.md, report.json and the",
      "nodes' configs, data and logs (nodes/) into --out. With --nemesis it also cuts the",
      "network (nftables: isolate a node or a partition's leader, majority/minority, ring,",
      "bridge) and moves leaders around (transfer storms).",
      "--workload picks register, bank and/or set (comma-separated, run concurrently); after",
      "healing and a quiet period every workload does final linearizable reads, which are",
      "checked too (lost or invented writes, bank totals and ledger). --control lost-write then",
      "runs a fixed kill schedule that loses acknowledged writes only on a store that",
      "acknowledges before commit (--unsafe-ack-before-commit seeds that bug: test only).",
      "Also writes chart.png (throughput and latency over time, faults shaded)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the history is linearizable (every key LINEARIZABLE) and no check found an anomaly",
      "1:not linearizable, a key's check ran out of budget (UNKNOWN), or an anomaly",
      "2:usage error",
      "4:the drill could not run (nodes failed to start, no leader, network faults without nft)"
    })
public final class DrillRunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "Node processes (default: 3).")
  int nodes;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      converter = DurationParser.class,
      paramLabel = "DURATION",
      description = "How long the workload runs, e.g. 30s, 2m (default: 60s).")
  Duration duration;

  @Option(names = "--clients", defaultValue = "5", description = "Client threads (default: 5).")
  int clients;

  @Option(
      names = "--seed",
      description = "Seed of the fault schedule and the workload (default: random, printed).")
  Long seed;

  @Option(
      names = "--max-ops",
      defaultValue = "1000000",
      description = "Stop after this many operations (default: 1000000).")
  long maxOps;

  @Option(
      names = "--nemesis",
      defaultValue = "kill,pause",
      paramLabel = "KINDS",
      description = {
        "Fault kinds of the seeded schedule, comma-separated (default: kill,pause):",
        "kill, pause, isolate, isolate-leader, majority, ring (4+ nodes), bridge,",
        "transfer (leadership-transfer storm); or all, process (kill,pause), network",
        "(the partitions). Partitions need root and nft: nodes then run under their",
        "own uids. stale-read-control: the fixed schedule that isolates a leader for",
        "8 s at a time (see --read-consistency)."
      })
  String nemesis;

  @Option(
      names = "--read-consistency",
      paramLabel = "LEVEL",
      defaultValue = "linearizable",
      converter = io.kvstore.cli.ConsistencyOption.Converter.class,
      description = {
        "Level of the workload's reads: linearizable (default), lease,",
        "bounded[=DURATION[,ENTRIES]], any. Only linearizable and lease promise a",
        "linearizable history; the others are for seeded-bug controls."
      })
  ReadOptions reads;

  @Option(
      names = "--pin-reads",
      description = {
        "Every other client sends its reads straight to the node the nemesis cut off",
        "last (n1 before the first cut), without redirect: with --read-consistency any",
        "and --nemesis stale-read-control the checker must find stale reads."
      })
  boolean pinReads;

  @Option(
      names = "--workload",
      defaultValue = "register",
      split = ",",
      paramLabel = "NAME",
      description =
          "register, bank, set; comma-separated to run several at once (default: register).")
  List<String> workloads;

  @Option(
      names = "--control",
      paramLabel = "NAME",
      description = "After the workloads, run a seeded-bug control schedule: lost-write.")
  String control;

  @Option(
      names = "--unsafe-ack-before-commit",
      description =
          "TEST ONLY: start the nodes with unsafe.ack-before-commit=true, a seeded bug that loses"
              + " acknowledged writes (the lost-write control must report it).")
  boolean unsafeAckBeforeCommit;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Output directory (default: a new kv-drill-* directory under /tmp).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 9 || clients < 1 || clients > 64 || maxOps < 1) {
      throw new ParameterException(
          spec.commandLine(), "--nodes must be 1..9, --clients 1..64, --max-ops positive");
    }
    boolean staleReadControl = nemesis.trim().equalsIgnoreCase("stale-read-control");
    Set<Nemesis.Kind> kinds;
    try {
      kinds = staleReadControl ? Set.of(Nemesis.Kind.ISOLATE_LEADER) : Nemesis.parseKinds(nemesis);
      Nemesis.Params.defaults(duration.toMillis(), nodes, 1000).withKinds(kinds);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--nemesis: " + e.getMessage());
    }
    long s = seed != null ? seed : System.nanoTime() & 0xffffffffL;
    DrillRun.Options options;
    try {
      options =
          new DrillRun.Options(
              nodes,
              duration,
              clients,
              s,
              Path.of("."),
              maxOps,
              workloads,
              control,
              unsafeAckBeforeCommit,
              kinds,
              staleReadControl,
              reads,
              pinReads);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Path dir = out != null ? out : Files.createTempDirectory("kv-drill-");
    spec.commandLine()
        .getOut()
        .printf("kv drill: seed %d, output %s%n", s, dir.toAbsolutePath())
        .flush();
    DrillReport report;
    try {
      report =
          DrillRun.run(
              new DrillRun.Options(
                  options.nodes(),
                  options.duration(),
                  options.clients(),
                  s,
                  dir,
                  options.maxOps(),
                  options.workloads(),
                  options.control(),
                  options.unsafeAckBeforeCommit(),
                  options.kinds(),
                  options.staleReadControl(),
                  options.reads(),
                  options.pinReads()));
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("kv drill: " + e.getMessage());
      return 4;
    }
    spec.commandLine().getOut().print(report.summary());
    spec.commandLine().getOut().flush();
    return report.passed() ? 0 : 1;
  }

  /** 500ms, 30s, 2m, 1h, or an ISO-8601 duration. */
  static final class DurationParser implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      String s = v.trim().toLowerCase();
      if (s.startsWith("p")) {
        return Duration.parse(s.toUpperCase());
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a duration: " + v + " (e.g. 500ms, 30s, 2m)");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
