package io.kvstore.cli;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.Member;
import io.kvstore.raft.server.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv start --config FILE}: runs one node in the foreground until SIGTERM/Ctrl-C. A bad
 * config exits 2 and a start failure (port in use, unwritable data dir) exits 4, each with one
 * line on stderr, so a supervisor or script can tell them apart.
 */
@Command(name = "start",
    description = "Run a node in the foreground until it is stopped with SIGTERM or Ctrl-C.")
final class StartCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "Node configuration, e.g. conf/node1.properties. Relative paths in it "
          + "resolve against the working directory.")
  Path config;

  @Override
  public Integer call() throws Exception {
    NodeConfig nodeConfig = NodeConfig.load(config);
    KvNode node = KvNode.start(nodeConfig);
    // close() is the node's orderly shutdown (flush storage, leave Raft cleanly); the hook makes
    // SIGTERM take that path. awaitTermination then returns and main exits.
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kv-node-shutdown"));
    Member self = nodeConfig.self();
    spec.commandLine().getOut().printf("node %s started: client %s, raft %s, data %s%n",
        nodeConfig.nodeId(), self.clientAddress(), self.raftAddress(), nodeConfig.dataDir());
    spec.commandLine().getOut().flush();
    node.awaitTermination();
    return ExitCodes.OK;
  }
}
