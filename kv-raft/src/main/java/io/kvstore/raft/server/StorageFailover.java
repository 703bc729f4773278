package io.kvstore.raft.server;

import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does about its groups while its data disk is degraded, and when it is healthy again.
 *
 * <p>Degraded, for every hosted group: pause this replica's leader elections (it never campaigns
 * and ignores leadership hand-overs); lower its Raft priority to 0 (otherwise Ratis would hand
 * leadership straight back to it as the preferred leader); if it leads, transfer leadership to
 * another replica. Writes reaching the node are refused by the gateway meanwhile.
 *
 * <p>Healthy again: reopen from disk every replica that Ratis closed or whose log write failed
 * (Ratis never retries a failed log: the replica stays broken until reopened), resume elections,
 * put its priority back as the cluster map says, and, as the preferred leader, ask for its
 * leadership back once it has caught up.
 *
 * <p>Every step is idempotent and retried on the next tick until it succeeds; Ratis calls run on
 * {@code executor}, at most one per group at a time. Only groups the map places on this node are
 * handled: a replica being moved in or out belongs to the mover and the {@link GroupJanitor}
 * (reopening one that is being removed would bring it back).
 */
final class StorageFailover {
  private static final Logger LOG = LoggerFactory.getLogger(StorageFailover.class);
  static final long TIMEOUT_MS = 5000;

  private final RaftServer raft;
  private final PartitionGroups groups;
  private final String nodeId;
  private final RaftPeerId self;
  private final ExecutorService executor;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Map<RaftGroupId, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
  private final Set<RaftGroupId> paused = ConcurrentHashMap.newKeySet();

  /** Whether the disk was ever degraded or a log failed since start (reopens only then). */
  private volatile boolean troubleSeen;

  /**
   * Groups whose priorities this replica changed and must put back once. Every hosted group starts
   * here: a node restarted while degraded finds its lowered priority in the group's configuration.
   */
  private final Set<RaftGroupId> toRestore = ConcurrentHashMap.newKeySet();

  /**
   * Groups this replica is the preferred leader of and should lead again, with the earliest time of
   * the next attempt. Ratis hands leadership to a higher-priority replica by itself only when its
   * log matches the leader's last entry at the moment it checks, which a steady write load may
   * never allow; an explicit transfer waits for the replica to catch up.
   */
  private final Map<RaftGroupId, Long> reclaim = new ConcurrentHashMap<>();

  private final Map<RaftGroupId, Integer> reclaimAttempts = new ConcurrentHashMap<>();
  private final Map<RaftGroupId, Integer> transfers = new ConcurrentHashMap<>();

  static final long RECLAIM_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** A transfer holds the group's writes until it ends; give up after a few (Ratis may still). */
  static final int RECLAIM_ATTEMPTS = 5;

  StorageFailover(
      RaftServer raft, PartitionGroups groups, String nodeId, ExecutorService executor) {
    this.raft = raft;
    this.groups = groups;
    this.nodeId = nodeId;
    this.self = RaftPeerId.valueOf(nodeId);
    this.executor = executor;
    for (int p : groups.placedOn(nodeId)) {
      toRestore.add(PartitionGroups.groupId(p));
    }
  }

  /** One round over every hosted group; call periodically with the disk's current condition. */
  void tick(boolean writable) {
    if (!writable) {
      troubleSeen = true;
    }
    for (int p : groups.placedOn(nodeId)) {
      RaftGroupId gid = PartitionGroups.groupId(p);
      CompletableFuture<?> running = inFlight.get(gid);
      if (running != null && !running.isDone()) {
        continue;
      }
      CompletableFuture<Void> step =
          CompletableFuture.runAsync(
              () -> {
                try {
                  if (writable) {
                    recover(p, gid);
                  } else {
                    degrade(gid);
                  }
                } catch (IOException | RuntimeException e) {
                  LOG.debug(
                      "{}: storage failover step for {} failed: {}", nodeId, gid, e.toString());
                }
              },
              executor);
      inFlight.put(gid, step);
    }
  }

  private void degrade(RaftGroupId gid) throws IOException {
    RaftServer.Division d = raft.getDivision(gid);
    if (!d.getInfo().isAlive()) {
      return;
    }
    if (!paused.contains(gid)) {
      RaftClientReply r =
          raft.leaderElectionManagement(
              LeaderElectionManagementRequest.newPause(
                  clientId, self, gid, callIds.incrementAndGet()));
      if (r.isSuccess()) {
        paused.add(gid);
      }
    }
    toRestore.add(gid);
    reclaim.remove(gid);
    Collection<RaftPeer> current = d.getRaftConf().getCurrentPeers();
    List<RaftPeer> lowered = lowered(current);
    if (!samePriorities(current, lowered)) {
      setConfiguration(d, lowered);
      return; // transfer on the next tick, once the new priorities are in place
    }
    if (d.getInfo().isLeader()) {
      RaftPeerId target = otherReplica(current, transfers.merge(gid, 1, Integer::sum));
      if (target != null) {
        LOG.info("{}: handing leadership of {} to {} (data disk degraded)", nodeId, gid, target);
        raft.transferLeadership(
            new TransferLeadershipRequest(
                clientId, self, gid, callIds.incrementAndGet(), target, TIMEOUT_MS));
      }
    }
  }

  private void recover(int partition, RaftGroupId gid) throws IOException {
    RaftServer.Division d;
    try {
      d = raft.getDivision(gid);
    } catch (IOException e) {
      d = null;
    }
    boolean logFailed =
        d != null && d.getStateMachine() instanceof KvStateMachine sm && sm.logFailed();
    if (logFailed) {
      troubleSeen = true;
    }
    // Only after storage trouble: a replica closed or removed otherwise (moved away by a
    // ReplicaMover, told to shut down after leaving the group) must stay closed, and a missing
    // directory must never be created again.
    boolean broken = d != null && (!d.getInfo().isAlive() || logFailed);
    if (troubleSeen && ((d == null && directoryExists(gid)) || broken)) {
      reopen(partition, gid, d != null);
      paused.remove(gid);
      return;
    }
    if (d == null) {
      return;
    }
    if (paused.contains(gid)) {
      RaftClientReply r =
          raft.leaderElectionManagement(
              LeaderElectionManagementRequest.newResume(
                  clientId, self, gid, callIds.incrementAndGet()));
      if (r.isSuccess()) {
        paused.remove(gid);
      }
    }
    if (!d.getInfo().isAlive()) {
      return;
    }
    if (toRestore.contains(gid)) {
      Collection<RaftPeer> current = d.getRaftConf().getCurrentPeers();
      List<RaftPeer> restored = restored(partition, current);
      if (!samePriorities(current, restored)) {
        setConfiguration(d, restored);
      }
      toRestore.remove(gid);
      RaftPeer me = groups.group(partition).getPeer(self);
      if (me != null && me.getPriority() > 0) {
        reclaim.put(gid, System.nanoTime());
        reclaimAttempts.remove(gid);
      }
    }
    Long next = reclaim.get(gid);
    if (next != null) {
      reclaimLeadership(d, gid, next);
    }
  }

  /** Asks the leader to hand leadership back once this replica has applied what it knows. */
  private void reclaimLeadership(RaftServer.Division d, RaftGroupId gid, long next)
      throws IOException {
    RaftPeerId leader = d.getInfo().getLeaderId();
    if (self.equals(leader)) {
      reclaim.remove(gid);
      return;
    }
    long now = System.nanoTime();
    if (leader == null
        || now < next
        || d.getInfo().getLastAppliedIndex() + 100 < d.getRaftLog().getLastCommittedIndex()) {
      return;
    }
    reclaim.put(gid, now + RECLAIM_EVERY_NANOS);
    if (reclaimAttempts.merge(gid, 1, Integer::sum) > RECLAIM_ATTEMPTS) {
      reclaim.remove(gid);
      reclaimAttempts.remove(gid);
      return;
    }
    try (RaftClient client = client(d.getGroup())) {
      RaftClientReply r = client.admin().transferLeadership(self, leader, 3000);
      if (r.isSuccess()) {
        LOG.info("{}: took back the leadership of {} from {}", nodeId, gid, leader);
        reclaim.remove(gid);
      }
    }
  }

  private boolean directoryExists(RaftGroupId gid) {
    for (File dir : RaftServerConfigKeys.storageDir(raft.getProperties())) {
      if (new File(dir, gid.getUuid().toString()).isDirectory()) {
        return true;
      }
    }
    return false;
  }

  /** Closes this replica's division and opens it again from its directory (nothing deleted). */
  private void reopen(int partition, RaftGroupId gid, boolean present) throws IOException {
    String what = partition == PartitionGroups.META ? "the meta group" : "partition " + partition;
    if (present) {
      RaftClientReply removed =
          raft.groupManagement(
              GroupManagementRequest.newRemove(
                  clientId, self, callIds.incrementAndGet(), gid, false, false));
      if (!removed.isSuccess()) {
        throw new IOException("close of " + what + " failed: " + removed.getException());
      }
    }
    RaftClientReply added =
        raft.groupManagement(
            GroupManagementRequest.newAdd(
                clientId, self, callIds.incrementAndGet(), groups.group(partition), false));
    if (!added.isSuccess()) {
      throw new IOException("reopen of " + what + " failed: " + added.getException());
    }
    LOG.info("{}: reopened the replica of {} from disk after a storage failure", nodeId, what);
  }

  /**
   * This replica at priority 0, the others unchanged. Ratis hands leadership only to a replica of
   * higher priority, so nothing comes back to this one, and a transfer is allowed to any replica of
   * the highest priority, which the others then are. (Raising another replica instead would make
   * two degraded replicas raise each other in turn.)
   */
  List<RaftPeer> lowered(Collection<RaftPeer> current) {
    List<RaftPeer> out = new ArrayList<>();
    for (RaftPeer p : current) {
      out.add(p.getId().equals(self) ? withPriority(p, 0) : p);
    }
    return out;
  }

  /**
   * This replica back at its map priority; the others at the lower of their current and their map
   * priority (one lowered by its own degraded disk stays down until it restores itself).
   */
  List<RaftPeer> restored(int partition, Collection<RaftPeer> current) {
    RaftGroup mapGroup = groups.group(partition);
    List<RaftPeer> out = new ArrayList<>();
    for (RaftPeer p : current) {
      RaftPeer inMap = mapGroup.getPeer(p.getId());
      int mapPriority = inMap == null ? 0 : inMap.getPriority();
      int priority = p.getId().equals(self) ? mapPriority : Math.min(p.getPriority(), mapPriority);
      out.add(withPriority(p, priority));
    }
    return out;
  }

  /**
   * One of the other replicas of the highest priority, a different one on each attempt (one of them
   * may be degraded too and refuse).
   */
  private RaftPeerId otherReplica(Collection<RaftPeer> peers, int attempt) {
    int best = Integer.MIN_VALUE;
    for (RaftPeer p : peers) {
      if (!p.getId().equals(self)) {
        best = Math.max(best, p.getPriority());
      }
    }
    List<RaftPeerId> candidates = new ArrayList<>();
    for (RaftPeer p : peers) {
      if (!p.getId().equals(self) && p.getPriority() == best) {
        candidates.add(p.getId());
      }
    }
    return candidates.isEmpty() ? null : candidates.get(attempt % candidates.size());
  }

  private static RaftClient client(RaftGroup group) {
    RaftProperties props = new RaftProperties();
    RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(
        props, TimeDuration.valueOf(TIMEOUT_MS, TimeUnit.MILLISECONDS));
    return RaftClient.newBuilder()
        .setProperties(props)
        .setRaftGroup(group)
        .setClientId(ClientId.randomId())
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                5, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS)))
        .build();
  }

  /**
   * Changes the voters' priorities only: listeners (a replica being moved in) are kept, and the
   * change applies only if the configuration is still the one read (a concurrent move wins; the
   * next tick looks again).
   */
  private void setConfiguration(RaftServer.Division d, List<RaftPeer> peers) throws IOException {
    RaftGroup group = d.getGroup();
    List<RaftPeer> listeners = List.copyOf(d.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER));
    SetConfigurationRequest.Arguments args =
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(peers)
            .setListenersInNewConf(listeners)
            .setServersInCurrentConf(List.copyOf(d.getRaftConf().getCurrentPeers()))
            .setListenersInCurrentConf(listeners)
            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
            .build();
    try (RaftClient client = client(group)) {
      RaftClientReply r = client.admin().setConfiguration(args);
      if (!r.isSuccess()) {
        throw new IOException("setConfiguration failed: " + r.getException());
      }
      LOG.info("{}: priorities of {} now {}", nodeId, group.getGroupId(), describe(peers));
    }
  }

  private static String describe(List<RaftPeer> peers) {
    StringBuilder sb = new StringBuilder();
    for (RaftPeer p : peers) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(p.getId()).append('=').append(p.getPriority());
    }
    return sb.toString();
  }

  private static RaftPeer withPriority(RaftPeer p, int priority) {
    return RaftPeer.newBuilder(p).setPriority(priority).build();
  }

  private static boolean samePriorities(Collection<RaftPeer> a, List<RaftPeer> b) {
    for (RaftPeer x : b) {
      boolean found = false;
      for (RaftPeer y : a) {
        if (y.getId().equals(x.getId())) {
          found = true;
          if (y.getPriority() != x.getPriority()) {
            return false;
          }
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
