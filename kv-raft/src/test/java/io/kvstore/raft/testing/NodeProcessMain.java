package io.kvstore.raft.testing;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.nio.file.Path;

/** Runs one node in its own JVM for multi-process tests: {@code NodeProcessMain <config>}. */
public final class NodeProcessMain {
  private NodeProcessMain() {}

  public static void main(String[] args) throws Exception {
    KvNode node = KvNode.start(NodeConfig.load(Path.of(args[0])));
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
    System.out.println("READY " + node.config().nodeId());
    System.out.flush();
    node.awaitTermination();
  }
}
