package io.kvstore.raft.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.Consistency;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Reads served from this replica's own state, without a ReadIndex round, when the requested
 * consistency allows it. Each level's check, and what it guarantees:
 *
 * <ul>
 *   <li>LINEARIZABLE: served by the leader only (followers redirect), see {@link #linearizable}.
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
  private final Function<RaftPeerId, String> clientEndpointOf;
  private final LongSupplier mapEpoch;

  public LocalReads(
      RaftServer server,
      RaftGateway gateway,
      long minElectionTimeoutMs,
      Function<RaftPeerId, String> clientEndpointOf,
      LongSupplier mapEpoch) {
    this.server = server;
    this.gateway = gateway;
    this.leaseMs = minElectionTimeoutMs / 2;
    this.clientEndpointOf = clientEndpointOf;
    this.mapEpoch = mapEpoch;
  }

  /** Reads {@code query} from {@code group} at {@code level}. */
  public CompletableFuture<byte[]> read(
      RaftGroupId group,
      byte[] query,
      Consistency level,
      long maxStalenessMs,
      long maxLagEntries,
      long deadlineMs) {
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
    if (level == Consistency.BOUNDED) {
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
      return local(sm, query);
    }
    if (level == Consistency.ANY) {
      return local(sm, query);
    }
    if (level == Consistency.LEASE
        && info.isLeader()
        && info.isLeaderReady()
        && heardFromMajority(info, leaseMs, majority)) {
      return local(sm, query);
    }
    return linearizable(d, group, query, majority, deadlineMs);
  }

  /**
   * ReadIndex on the leader, plus a check that leadership still held when the read completed. Ratis
   * 3.2 skips the ReadIndex heartbeat round when nothing was committed since the last confirmed
   * read, so a leader cut off from the others could answer from stale state until it steps down;
   * requiring a majority to have answered within half the minimum election timeout — during which,
   * with pre-vote, they refuse to elect anyone else — closes that window. Followers redirect
   * LINEARIZABLE reads to the leader, which applies the check.
   */
  private CompletableFuture<byte[]> linearizable(
      RaftServer.Division d, RaftGroupId group, byte[] query, int majority, long deadlineMs) {
    DivisionInfo info = d.getInfo();
    if (!info.isLeader()) {
      return CompletableFuture.failedFuture(notLeader(info));
    }
    long term = info.getCurrentTerm();
    return gateway
        .read(group, query, deadlineMs)
        .thenApply(
            bytes -> {
              DivisionInfo now = d.getInfo();
              if (!now.isLeader()
                  || now.getCurrentTerm() != term
                  || !heardFromMajority(now, leaseMs, majority)) {
                throw new CompletionException(
                    unavailable("leadership not confirmed for a linearizable read; retry"));
              }
              return bytes;
            });
  }

  private StatusRuntimeException notLeader(DivisionInfo info) {
    Metadata trailers = new Metadata();
    RaftPeerId leader = info.getLeaderId();
    String endpoint = leader == null ? null : clientEndpointOf.apply(leader);
    if (endpoint != null) {
      trailers.put(KvClient.LEADER_KEY, endpoint);
    }
    trailers.put(KvClient.EPOCH_KEY, Long.toString(mapEpoch.getAsLong()));
    return Status.FAILED_PRECONDITION
        .withDescription("linearizable reads are served by the leader")
        .asRuntimeException(trailers);
  }

  private static CompletableFuture<byte[]> local(KvStateMachine sm, byte[] query) {
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
    // Ratis restarts the follower timer after a failed election, so the elapsed time alone would
    // look fresh; a follower that knows no leader has heard from none.
    if (info.getLeaderId() == null) {
      return false;
    }
    RoleInfoProto role = info.getRoleInfoProto();
    return role.hasFollowerInfo()
        && role.getFollowerInfo().hasLeaderInfo()
        && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() <= withinMs;
  }

  private static StatusRuntimeException unavailable(String why) {
    return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }
}
