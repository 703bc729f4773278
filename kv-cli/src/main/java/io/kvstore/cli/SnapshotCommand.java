package io.kvstore.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kv snapshot ...}: backups of the whole cluster and restores into a fresh one. */
@Command(
    name = "snapshot",
    description = "Save a backup of every partition, or restore one into a fresh node.",
    subcommands = {SnapshotSaveCommand.class, SnapshotRestoreCommand.class},
    synopsisSubcommandLabel = "COMMAND")
final class SnapshotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
