package io.kvstore.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kv cluster ...}: groups the commands about the cluster as a whole. */
@Command(
    name = "cluster",
    description = "Inspect the cluster.",
    subcommands = {
      ClusterStatusCommand.class,
      ClusterNodesCommand.class,
      ClusterPartitionsCommand.class
    },
    synopsisSubcommandLabel = "COMMAND")
final class ClusterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
