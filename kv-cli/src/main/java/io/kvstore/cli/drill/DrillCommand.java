package io.kvstore.cli.drill;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kv drill ...}: fault-injection drills against a throwaway local cluster. */
@Command(
    name = "drill",
    description = {
      "Fault-injection drills: run starts a throwaway cluster and checks linearizability;",
      "leader-failover, partition, pause and rolling-restart fault the running local cluster."
    },
    subcommands = {
      DrillRunCommand.class,
      OperatorDrillCommand.LeaderFailover.class,
      OperatorDrillCommand.Partition.class,
      OperatorDrillCommand.Pause.class,
      OperatorDrillCommand.RollingRestart.class
    },
    synopsisSubcommandLabel = "COMMAND")
public final class DrillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
