package io.kvstore.cli;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kv start --config FILE}: runs one node in the foreground until SIGTERM/Ctrl-C. A bad
 * config exits 2 and a start failure (port in use, unwritable data dir) exits 4, each with one line
 * on stderr, so a supervisor or script can tell them apart.
 */
@Command(
    name = "start",
    description = "Run a node in the foreground until it is stopped with SIGTERM or Ctrl-C.")
final class StartCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description =
          "Node configuration, e.g. conf/node1.properties. Relative paths in it "
              + "resolve against the working directory.")
  Path config;

  @Override
  public Integer call() throws Exception {
    NodeConfig nodeConfig = NodeConfig.load(config);
    KvNode node = KvNode.start(nodeConfig);
    // close() is the node's orderly shutdown (flush storage, leave Raft cleanly); the hook makes
    // SIGTERM take that path. awaitTermination then returns and main exits. The node logs its
    // own "started" line.
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kv-node-shutdown"));
    node.awaitTermination();
    return ExitCodes.OK;
  }
}
