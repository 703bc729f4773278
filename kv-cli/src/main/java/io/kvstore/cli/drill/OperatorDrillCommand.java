package io.kvstore.cli.drill;

import io.kvstore.cli.Kv;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kv drill leader-failover | partition | pause | rolling-restart}: one fault against the
 * running local cluster ({@code scripts/local-cluster.sh up}) under write load, then every
 * acknowledged write read back; see {@link LocalClusterDrill}.
 */
abstract class OperatorDrillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "data",
      description =
          "The local cluster's directory with nK.pid and nK.log (default: data, as"
              + " scripts/local-cluster.sh uses it from the repository root).")
  Path data;

  @Option(
      names = "--partition",
      defaultValue = "0",
      description = "The partition whose leader is faulted (default: 0).")
  int partition;

  @Option(names = "--writers", defaultValue = "8", description = "Writer threads (default: 8).")
  int writers;

  @Option(
      names = "--warmup",
      defaultValue = "3s",
      converter = DrillRunCommand.DurationParser.class,
      paramLabel = "DURATION",
      description = "Load before the fault (default: 3s).")
  Duration warmup;

  @Option(
      names = "--settle",
      defaultValue = "5s",
      converter = DrillRunCommand.DurationParser.class,
      paramLabel = "DURATION",
      description = "Load after the cluster is healthy again (default: 5s).")
  Duration settle;

  @Option(
      names = "--max-writes",
      defaultValue = "200000",
      description = "Stop writing after this many (default: 200000).")
  long maxWrites;

  @Option(
      names = "--health-timeout",
      defaultValue = "120s",
      converter = DrillRunCommand.DurationParser.class,
      paramLabel = "DURATION",
      description = "How long to wait for every partition to have a leader (default: 120s).")
  Duration healthTimeout;

  abstract LocalClusterDrill.Fault fault();

  /** How long the fault lasts; null where it does not apply. */
  abstract Duration faultFor();

  @Override
  public Integer call() throws Exception {
    if (writers < 1 || writers > 64 || maxWrites < 1 || partition < 0) {
      throw new ParameterException(
          spec.commandLine(), "--writers must be 1..64, --max-writes positive, --partition >= 0");
    }
    Kv root = (Kv) spec.root().userObject();
    PrintWriter out = spec.commandLine().getOut();
    LocalClusterDrill.Result r;
    try {
      r =
          LocalClusterDrill.run(
              new LocalClusterDrill.Settings(
                  fault(),
                  data,
                  root.endpointList(),
                  partition,
                  writers,
                  warmup,
                  faultFor() == null ? Duration.ZERO : faultFor(),
                  settle,
                  maxWrites,
                  healthTimeout),
              out);
    } catch (IllegalStateException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("kv drill " + fault().label + ": " + e.getMessage());
      return 4;
    }
    out.print(r.summary());
    out.flush();
    return r.pass() ? 0 : 1;
  }

  /** kill -9 the leader, restart it. */
  @Command(
      name = "leader-failover",
      description = {
        "Under write load, kill -9 the leader of --partition on the local cluster, restart it",
        "after --downtime, wait until every partition has a leader, read back every",
        "acknowledged write. Prints the availability gap per partition the node led."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:PASS: every acknowledged write was read back",
        "1:FAIL: an acknowledged write is missing or wrong",
        "2:usage error",
        "4:the drill could not run (no local cluster, no leader)"
      })
  static final class LeaderFailover extends OperatorDrillCommand {
    @Option(
        names = "--downtime",
        defaultValue = "5s",
        converter = DrillRunCommand.DurationParser.class,
        paramLabel = "DURATION",
        description = "Time between the kill and the restart (default: 5s).")
    Duration downtime;

    @Override
    LocalClusterDrill.Fault fault() {
      return LocalClusterDrill.Fault.LEADER_FAILOVER;
    }

    @Override
    Duration faultFor() {
      return downtime;
    }
  }

  /** SIGSTOP the leader for a few election timeouts. */
  @Command(
      name = "pause",
      description = {
        "Under write load, SIGSTOP the leader of --partition for --pause-for (a few election",
        "timeouts: the local cluster's are 1-2 s), SIGCONT it, wait for health, read back",
        "every acknowledged write."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:PASS: every acknowledged write was read back",
        "1:FAIL: an acknowledged write is missing or wrong",
        "2:usage error",
        "4:the drill could not run (no local cluster, no leader)"
      })
  static final class Pause extends OperatorDrillCommand {
    @Option(
        names = "--pause-for",
        defaultValue = "8s",
        converter = DrillRunCommand.DurationParser.class,
        paramLabel = "DURATION",
        description = "How long the leader stays stopped (default: 8s).")
    Duration pauseFor;

    @Override
    LocalClusterDrill.Fault fault() {
      return LocalClusterDrill.Fault.PAUSE;
    }

    @Override
    Duration faultFor() {
      return pauseFor;
    }
  }

  /** Restart every node in turn. */
  @Command(
      name = "rolling-restart",
      description = {
        "Under write load, restart every node in turn (SIGTERM, start it again as it was",
        "started), waiting after each until every partition has a leader; then read back",
        "every acknowledged write."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:PASS: every acknowledged write was read back",
        "1:FAIL: an acknowledged write is missing or wrong",
        "2:usage error",
        "4:the drill could not run (no local cluster, a node did not come back)"
      })
  static final class RollingRestart extends OperatorDrillCommand {
    @Override
    LocalClusterDrill.Fault fault() {
      return LocalClusterDrill.Fault.ROLLING_RESTART;
    }

    @Override
    Duration faultFor() {
      return null;
    }
  }

  /** Cut the leader off with nftables. */
  @Command(
      name = "partition",
      description = {
        "Under write load, cut the leader of --partition off from the other nodes for",
        "--isolate-for with nftables (clients still reach it), heal, wait for health, read",
        "back every acknowledged write. Needs root, nft, and nodes running under distinct",
        "uids: start the cluster as root with scripts/local-cluster.sh up --uids."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:PASS: every acknowledged write was read back",
        "1:FAIL: an acknowledged write is missing or wrong",
        "2:usage error",
        "4:the drill could not run (no local cluster, no nftables, nodes share a uid)"
      })
  static final class Partition extends OperatorDrillCommand {
    @Option(
        names = "--isolate-for",
        defaultValue = "10s",
        converter = DrillRunCommand.DurationParser.class,
        paramLabel = "DURATION",
        description = "How long the leader stays cut off (default: 10s).")
    Duration isolateFor;

    @Override
    LocalClusterDrill.Fault fault() {
      return LocalClusterDrill.Fault.PARTITION;
    }

    @Override
    Duration faultFor() {
      return isolateFor;
    }
  }
}
