package io.kvstore.raft.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.proto.Consistency;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Reads served from this replica's own state, without a ReadIndex round, when the requested
 * consistency allows it. Each level's check, and what it guarantees:
 *
 * <ul>
 *   <li>LEASE: this node leads, is ready, and a majority (itself included) answered its heartbeats
 *       within half the minimum election timeout. No other leader can have been elected since,
 *       provided clocks run at the same rate and a round trip takes less than that half; otherwise
 *       the read falls back to ReadIndex.
 *   <li>BOUNDED(t, n): a follower heard from the leader within t and has applied up to n entries
 *       short of the commit index it knows; a leader needs a majority heard from within t. A
 *       replica that does not qualify answers UNAVAILABLE and the client tries another.
 *   <li>ANY: no check; a replica answers as it stands, even without a majority.
 * </ul>
 */
public final class LocalReads {
  private final RaftServer server;
  private final RaftGateway gateway;
  private final long leaseMs;

  public LocalReads(RaftServer server, RaftGateway gateway, long minElectionTimeoutMs) {
    this.server = server;
    this.gateway = gateway;
    this.leaseMs = minElectionTimeoutMs / 2;
  }

  /** Reads {@code query} from {@code group} at {@code level}. */
  public CompletableFuture<byte[]> read(
      RaftGroupId group,
      byte[] query,
      Consistency level,
      long maxStalenessMs,
      long maxLagEntries,
      long deadlineMs) {
    if (level == Consistency.LINEARIZABLE || level == Consistency.UNRECOGNIZED) {
      return gateway.read(group, query, deadlineMs);
    }
    RaftServer.Division d;
    try {
      d = server.getDivision(group);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(unavailable("partition not hosted here"));
    }
    if (!(d.getStateMachine() instanceof KvStateMachine sm) || !sm.serving()) {
      return CompletableFuture.failedFuture(unavailable("replica is loading a snapshot"));
    }
    DivisionInfo info = d.getInfo();
    int majority = d.getGroup().getPeers().size() / 2 + 1;
    switch (level) {
      case LEASE -> {
        if (!info.isLeader()
            || !info.isLeaderReady()
            || !heardFromMajority(info, leaseMs, majority)) {
          // Not (or no longer surely) the leader: ReadIndex answers or redirects correctly.
          return gateway.read(group, query, deadlineMs);
        }
      }
      case BOUNDED -> {
        long bound = maxStalenessMs > 0 ? maxStalenessMs : 1000;
        long applied = info.getLastAppliedIndex();
        long commit = d.getRaftLog().getLastCommittedIndex();
        boolean fresh =
            info.isLeader()
                ? info.isLeaderReady() && heardFromMajority(info, bound, majority)
                : info.isFollower() && heardFromLeaderWithin(info, bound);
        if (!fresh || applied + maxLagEntries < commit) {
          return CompletableFuture.failedFuture(
              unavailable(
                  "replica too stale for BOUNDED("
                      + bound
                      + " ms, "
                      + maxLagEntries
                      + " entries): applied "
                      + applied
                      + " of "
                      + commit));
        }
      }
      default -> {
        // ANY: as it stands
      }
    }
    return sm.query(Message.valueOf(UnsafeByteOperations.unsafeWrap(query)))
        .thenApply(m -> m.getContent().toByteArray());
  }

  private static boolean heardFromMajority(DivisionInfo info, long withinMs, int majority) {
    RoleInfoProto role = info.getRoleInfoProto();
    if (!role.hasLeaderInfo()) {
      return false;
    }
    int fresh = 1; // the leader itself
    for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
      if (f.getLastRpcElapsedTimeMs() <= withinMs) {
        fresh++;
      }
    }
    return fresh >= majority;
  }

  private static boolean heardFromLeaderWithin(DivisionInfo info, long withinMs) {
    RoleInfoProto role = info.getRoleInfoProto();
    return role.hasFollowerInfo()
        && role.getFollowerInfo().hasLeaderInfo()
        && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() <= withinMs;
  }

  private static StatusRuntimeException unavailable(String why) {
    return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }
}
