package io.kvstore.cli.drill;

import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.raft.server.PartitionGroups;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;

/**
 * Moves partition leadership from outside the cluster through Ratis' admin API ({@code
 * RaftClient.admin().transferLeadership}), with the group ids of {@link PartitionGroups} and the
 * peers of the cluster map. A partition's preferred leader has the highest Raft priority and Ratis
 * refuses to hand leadership to anyone of lower priority, so a transfer to the preferred leader is
 * a real transfer and a transfer away from it is a step-down ({@code newLeader = null}): the leader
 * resigns, the others elect one of themselves, and later the preferred leader takes over again.
 */
public final class LeaderTransfers {
  /** What one request did. */
  public record Outcome(int partition, String from, String to, boolean success, String detail) {}

  private final Map<String, RaftPeer> peers = new HashMap<>();
  private final Map<Integer, PartitionInfo> partitions = new HashMap<>();

  /** From the cluster map (its nodes' raft endpoints and every partition's replicas). */
  public LeaderTransfers(ClusterMapResponse map) {
    for (NodeInfo n : map.getNodesList()) {
      peers.put(
          n.getId(),
          RaftPeer.newBuilder()
              .setId(RaftPeerId.valueOf(n.getId()))
              .setAddress(n.getRaftEndpoint())
              .build());
    }
    for (PartitionInfo p : map.getPartitionsList()) {
      partitions.put(p.getId(), p);
    }
  }

  /** The replicas of {@code partition}, preferred leader first. */
  public List<String> replicas(int partition) {
    return partitions.get(partition).getReplicasList();
  }

  /**
   * Asks {@code leader} (a node id) to hand {@code partition} to {@code target}, or to step down
   * when {@code target} is null. Never throws for a refused or failed transfer: the outcome says.
   */
  public Outcome transfer(int partition, String leader, String target, long timeoutMs) {
    List<RaftPeer> group = new ArrayList<>();
    for (String id : replicas(partition)) {
      group.add(peers.get(id));
    }
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    try (RaftClient client =
        RaftClient.newBuilder()
            .setRaftGroup(RaftGroup.valueOf(PartitionGroups.groupId(partition), group))
            .setProperties(props)
            .setParameters(new Parameters())
            .setLeaderId(RaftPeerId.valueOf(leader))
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    2, TimeDuration.valueOf(100, java.util.concurrent.TimeUnit.MILLISECONDS)))
            .build()) {
      RaftClientReply reply =
          client
              .admin()
              .transferLeadership(
                  target == null ? null : RaftPeerId.valueOf(target),
                  RaftPeerId.valueOf(leader),
                  timeoutMs);
      return new Outcome(
          partition,
          leader,
          target,
          reply.isSuccess(),
          reply.isSuccess() ? "ok" : firstLine(String.valueOf(reply.getException())));
    } catch (IOException | RuntimeException e) {
      return new Outcome(partition, leader, target, false, firstLine(e.toString()));
    }
  }

  /** Ratis puts whole stack traces into some messages; a report line needs the first line. */
  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = (nl < 0 ? s : s.substring(0, nl)).strip();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /**
   * One storm step for {@code partition} led by {@code leader}: to the preferred leader if someone
   * else leads, otherwise a step-down.
   */
  public Outcome move(int partition, String leader, long timeoutMs) {
    String preferred = replicas(partition).get(0);
    return transfer(partition, leader, preferred.equals(leader) ? null : preferred, timeoutMs);
  }
}
