package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one replica of a partition from node A to node B with Raft membership changes, or adds a
 * replica on B (A = none, for re-replication). Runs in any process that reaches the nodes' Raft
 * ports and the meta group (a node, a controller, the CLI).
 *
 * <p>Steps, each decided from the group's current configuration as its leader reports it, so a move
 * interrupted anywhere (mover or node crash) is finished by calling {@link #move} again:
 *
 * <ol>
 *   <li>{@link Step#HOST_ON_TARGET}: B hosts the group with an empty configuration (it starts no
 *       election and waits for the leader);
 *   <li>{@link Step#ADD_LISTENER}: the leader adds B as a non-voting listener (compare-and-set on
 *       the configuration); B receives a snapshot and the log;
 *   <li>{@link Step#CATCH_UP}: wait until B has applied the leader's commit index read after the
 *       add;
 *   <li>{@link Step#PROMOTE}: one configuration change makes B a voter and removes A (if A leads,
 *       leadership is transferred to another voter first); B takes A's priority slot;
 *   <li>{@link Step#REMOVE_SOURCE}: A removes its group and deletes its directory (if A is down,
 *       its node removes it when it returns: neither the map nor the group holds it then);
 *   <li>{@link Step#UPDATE_MAP}: the map gets the new replica set (compare-and-set, epoch + 1); B
 *       takes A's place in the list, so it is also the preferred leader if A was.
 * </ol>
 *
 * <p>Moves of different partitions may run concurrently; two movers of one partition are refused by
 * the configuration's compare-and-set (one of them fails and can be retried).
 */
public final class ReplicaMover {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaMover.class);

  /** A step of a move, as reported to {@link #onStep} before it is carried out. */
  public enum Step {
    HOST_ON_TARGET,
    ADD_LISTENER,
    CATCH_UP,
    PROMOTE,
    REMOVE_SOURCE,
    UPDATE_MAP
  }

  /**
   * @param catchUp how long B may take to catch up (snapshot install and log)
   * @param step how long any other step may take (configuration change, leader transfer)
   */
  public record Settings(Duration catchUp, Duration step) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMinutes(30), Duration.ofSeconds(60));
  }

  private final MapStore store;
  private final Settings settings;
  private volatile Consumer<Step> onStep = s -> {};

  public ReplicaMover(MapStore store) {
    this(store, Settings.DEFAULT);
  }

  public ReplicaMover(MapStore store, Settings settings) {
    this.store = store;
    this.settings = settings;
  }

  /**
   * Calls {@code listener} before each step is carried out (progress reporting; a listener that
   * throws stops the move there, which tests use to interrupt a move).
   */
  public ReplicaMover onStep(Consumer<Step> listener) {
    this.onStep = listener;
    return this;
  }

  /** Adds a replica of {@code partition} on {@code to} ({@link #move} with no source). */
  public ClusterMap addReplica(int partition, String to) throws IOException {
    return move(partition, null, to);
  }

  /**
   * Moves the replica of {@code partition} on {@code from} (null: none, add only) to {@code to}, or
   * finishes such a move that was interrupted. Returns the map that records it.
   *
   * @throws IllegalArgumentException if the partition or a node is unknown, {@code from} holds no
   *     replica, or {@code to} already holds one
   * @throws IOException if a step cannot be done in time (the move can be resumed)
   */
  public ClusterMap move(int partition, String from, String to) throws IOException {
    MapStore.Stored stored = store.read();
    if (stored == null) {
      throw new IOException("the meta group holds no cluster map yet");
    }
    ClusterMap map = stored.map();
    Plan plan = plan(map, partition, from, to);
    if (!plan.mapDone) {
      reconfigure(plan);
    }
    if (from != null) {
      step(Step.REMOVE_SOURCE);
      removeSource(plan);
    }
    step(Step.UPDATE_MAP);
    MapStore.Stored done =
        store.update(
            m ->
                MapChanges.withReplicas(
                    m, partition, MapChanges.moved(m.partition(partition).replicas(), from, to)));
    LOG.info(
        "partition {}: replica {} -> {} done; map epoch {}, replicas {}",
        partition,
        from == null ? "(none)" : from,
        to,
        done.map().epoch(),
        done.map().partition(partition).replicas());
    return done.map();
  }

  /** What the move is about, checked against the map. */
  private record Plan(
      int partition,
      RaftGroupId gid,
      String from,
      String to,
      boolean mapDone,
      List<String> newReplicas,
      Map<RaftPeerId, RaftPeer> peers) {}

  private static Plan plan(ClusterMap map, int p, String from, String to) {
    if (p < 0 || p >= map.partitionCount()) {
      throw new IllegalArgumentException(
          "partition " + p + " does not exist (0.." + (map.partitionCount() - 1) + ")");
    }
    if (to == null || to.equals(from)) {
      throw new IllegalArgumentException("the target node must differ from the source");
    }
    NodeEntry target =
        map.node(to)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "node "
                            + to
                            + " is not in the cluster map (start it with cluster.join=true)"));
    List<String> replicas = map.partition(p).replicas();
    boolean mapDone = replicas.contains(to) && (from == null || !replicas.contains(from));
    if (!mapDone) {
      if (replicas.contains(to)) {
        throw new IllegalArgumentException(
            "node " + to + " already holds a replica of partition " + p);
      }
      if (from != null && !replicas.contains(from)) {
        throw new IllegalArgumentException(
            "node "
                + from
                + " holds no replica of partition "
                + p
                + " (replicas "
                + replicas
                + ")");
      }
    }
    Map<RaftPeerId, RaftPeer> peers = new LinkedHashMap<>();
    for (String id : replicas) {
      peers.put(RaftPeerId.valueOf(id), peer(map.node(id).orElseThrow(), 0));
    }
    peers.put(RaftPeerId.valueOf(to), peer(target, 0));
    if (from != null) {
      map.node(from).ifPresent(n -> peers.put(RaftPeerId.valueOf(from), peer(n, 0)));
    }
    return new Plan(
        p,
        PartitionGroups.groupId(p),
        from,
        to,
        mapDone,
        MapChanges.moved(replicas, from, to),
        peers);
  }

  /** Steps 1-4, driven by the leader's configuration until B votes and A does not. */
  private void reconfigure(Plan plan) throws IOException {
    long deadline =
        System.nanoTime() + settings.step().toNanos() * 10 + settings.catchUp().toNanos();
    while (true) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "partition " + plan.partition + ": reconfiguration did not finish in time");
      }
      Leader leader = leader(plan);
      GroupConf conf = leader.conf;
      if (conf.changing()) {
        pause(); // a change is in progress (ours after a timeout, or someone else's)
        continue;
      }
      boolean toVoter = conf.isVoter(plan.to);
      boolean toListener = conf.isListener(plan.to);
      boolean fromVoter = plan.from != null && conf.isVoter(plan.from);
      try {
        if (!toVoter && !toListener) {
          step(Step.HOST_ON_TARGET);
          hostEmpty(plan);
          step(Step.ADD_LISTENER);
          addListener(plan, leader);
        } else if (!toVoter) {
          step(Step.CATCH_UP);
          awaitCatchUp(plan, leader);
          step(Step.PROMOTE);
          if (fromVoter && leader.id.toString().equals(plan.from)) {
            transferAway(plan, leader);
          } else {
            promote(plan, leader);
          }
        } else if (fromVoter) {
          step(Step.PROMOTE);
          if (leader.id.toString().equals(plan.from)) {
            transferAway(plan, leader);
          } else {
            promote(plan, leader);
          }
        } else {
          return;
        }
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        // Timeouts and refusals (reconfiguration in progress, leader changed): look again.
        LOG.info("partition {}: move step failed, retrying: {}", plan.partition, oneLine(e));
        pause();
      }
    }
  }

  /** The group's leader and its configuration. */
  private record Leader(RaftPeerId id, GroupConf conf, long commitIndex) {}

  private Leader leader(Plan plan) throws IOException {
    long deadline = System.nanoTime() + settings.step().toNanos();
    while (true) {
      for (RaftPeer peer : plan.peers.values()) {
        try (RaftClient c =
            RatisClients.once(RaftGroup.valueOf(plan.gid, peer), Duration.ofSeconds(3))) {
          GroupInfoReply info = c.getGroupManagementApi(peer.getId()).info(plan.gid);
          if (info.isSuccess()
              && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER
              && info.getGroup() != null) {
            return new Leader(peer.getId(), GroupConf.of(info), commitIndex(info));
          }
        } catch (IOException | RuntimeException e) {
          // down or not hosting the group: ask the next
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("partition " + plan.partition + ": no leader found");
      }
      pause();
    }
  }

  /**
   * The leader's commit index; if the committed entry is no longer in its log (purged behind a
   * snapshot), its last entry or snapshot, which is at least as high.
   */
  private static long commitIndex(GroupInfoReply info) {
    var log = info.getLogInfoProto();
    if (log.hasCommitted()) {
      return log.getCommitted().getIndex();
    }
    if (log.hasLastEntry()) {
      return log.getLastEntry().getIndex();
    }
    return log.hasLastSnapshot() ? log.getLastSnapshot().getIndex() : 0;
  }

  private void hostEmpty(Plan plan) throws IOException {
    RaftPeer target = plan.peers.get(RaftPeerId.valueOf(plan.to));
    try (RaftClient c = RatisClients.once(RaftGroup.valueOf(plan.gid, target), settings.step())) {
      RaftGroup empty = RaftGroup.valueOf(plan.gid);
      try {
        RaftClientReply r = c.getGroupManagementApi(target.getId()).add(empty, true);
        if (r.isSuccess()) {
          LOG.info("partition {}: {} hosts the group (empty)", plan.partition, plan.to);
          return;
        }
        throw new IOException("adding the group on " + plan.to + " failed: " + r.getException());
      } catch (IOException e) {
        if (causedBy(e, AlreadyExistsException.class)) {
          return; // an earlier attempt created it
        }
        if (!String.valueOf(e.getMessage()).contains("FORMAT")) {
          throw e;
        }
        // A failed add leaves its directory behind: open it instead of formatting.
        RaftClientReply r = c.getGroupManagementApi(target.getId()).add(empty, false);
        if (!r.isSuccess()) {
          throw new IOException("adding the group on " + plan.to + " failed: " + r.getException());
        }
      }
    }
  }

  private void addListener(Plan plan, Leader leader) throws IOException {
    List<RaftPeer> newListeners = new ArrayList<>(leader.conf.listeners());
    newListeners.add(
        RaftPeer.newBuilder(plan.peers.get(RaftPeerId.valueOf(plan.to)))
            .setStartupRole(RaftPeerRole.LISTENER)
            .build());
    setConfiguration(plan, leader, leader.conf.voters(), newListeners);
    LOG.info("partition {}: {} added as a listener", plan.partition, plan.to);
  }

  /** Waits until B has applied what the leader had committed after B was added. */
  private void awaitCatchUp(Plan plan, Leader leader) throws IOException {
    long target = leader.commitIndex;
    RaftPeer to = plan.peers.get(RaftPeerId.valueOf(plan.to));
    long deadline = System.nanoTime() + settings.catchUp().toNanos();
    long applied = -1;
    try (RaftClient c = RatisClients.once(RaftGroup.valueOf(plan.gid, to), Duration.ofSeconds(5))) {
      while (true) {
        try {
          GroupInfoReply info = c.getGroupManagementApi(to.getId()).info(plan.gid);
          applied = info.getLogInfoProto().getApplied().getIndex();
          if (applied >= target) {
            LOG.info(
                "partition {}: {} caught up (applied {} >= {})",
                plan.partition,
                plan.to,
                applied,
                target);
            return;
          }
        } catch (IOException e) {
          // B restarting: keep waiting until the deadline
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              plan.to + " did not catch up in time: applied " + applied + " of " + target);
        }
        pause();
      }
    }
  }

  /** B becomes a voter with A's priority slot; A leaves. One configuration change. */
  private void promote(Plan plan, Leader leader) throws IOException {
    List<RaftPeer> voters = new ArrayList<>();
    for (RaftPeer p : leader.conf.voters()) {
      if (!p.getId().toString().equals(plan.from)) {
        voters.add(p);
      }
    }
    if (!leader.conf.isVoter(plan.to)) {
      int priority = plan.newReplicas.get(0).equals(plan.to) ? 1 : 0;
      voters.add(
          RaftPeer.newBuilder(plan.peers.get(RaftPeerId.valueOf(plan.to)))
              .setPriority(priority)
              .build());
    }
    List<RaftPeer> listeners = new ArrayList<>();
    for (RaftPeer p : leader.conf.listeners()) {
      if (!p.getId().toString().equals(plan.to)) {
        listeners.add(p);
      }
    }
    setConfiguration(plan, leader, voters, listeners);
    LOG.info(
        "partition {}: {} is a voter{}",
        plan.partition,
        plan.to,
        plan.from == null ? "" : ", " + plan.from + " left the group");
  }

  /**
   * A leads and must leave: hand leadership to the voter of highest priority after lowering A's own
   * to 0 (Ratis only transfers to a replica of the highest priority, and would otherwise hand it
   * straight back to A).
   */
  private void transferAway(Plan plan, Leader leader) throws IOException {
    List<RaftPeer> voters = leader.conf.voters();
    RaftPeer target = null;
    boolean lowered = true;
    for (RaftPeer p : voters) {
      if (p.getId().toString().equals(plan.from)) {
        lowered = p.getPriority() == 0;
      } else if (target == null || p.getPriority() > target.getPriority()) {
        target = p;
      }
    }
    if (target == null) {
      throw new IOException("partition " + plan.partition + ": no other voter to lead");
    }
    if (!lowered) {
      List<RaftPeer> changed = new ArrayList<>();
      for (RaftPeer p : voters) {
        changed.add(
            p.getId().toString().equals(plan.from)
                ? RaftPeer.newBuilder(p).setPriority(0).build()
                : p);
      }
      setConfiguration(plan, leader, changed, leader.conf.listeners());
      return; // transfer on the next round, with the new priorities in place
    }
    try (RaftClient c = RatisClients.onceTo(group(plan), leader.id, settings.step())) {
      RaftClientReply r = c.admin().transferLeadership(target.getId(), settings.step().toMillis());
      if (!r.isSuccess()) {
        throw new IOException("leadership transfer failed: " + r.getException());
      }
      LOG.info(
          "partition {}: leadership moved from {} to {}",
          plan.partition,
          plan.from,
          target.getId());
    }
  }

  private void setConfiguration(
      Plan plan, Leader leader, List<RaftPeer> voters, List<RaftPeer> listeners)
      throws IOException {
    SetConfigurationRequest.Arguments args =
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(voters)
            .setListenersInNewConf(listeners)
            .setServersInCurrentConf(leader.conf.voters())
            .setListenersInCurrentConf(leader.conf.listeners())
            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
            .build();
    try (RaftClient c = RatisClients.onceTo(group(plan), leader.id, settings.step())) {
      RaftClientReply r = c.admin().setConfiguration(args);
      if (!r.isSuccess()) {
        throw new IOException("configuration change failed: " + r.getException());
      }
    }
  }

  /** Step 5: A drops its replica and directory; best effort (A's node does it later if down). */
  private void removeSource(Plan plan) throws IOException {
    RaftPeer from = plan.peers.get(RaftPeerId.valueOf(plan.from));
    if (from == null) {
      return; // no longer in the map: nothing to reach
    }
    long deadline = System.nanoTime() + settings.step().toNanos();
    while (true) {
      try (RaftClient c = RatisClients.once(RaftGroup.valueOf(plan.gid, from), settings.step())) {
        RaftClientReply r = c.getGroupManagementApi(from.getId()).remove(plan.gid, true, false);
        if (r.isSuccess()) {
          LOG.info("partition {}: {} removed its replica", plan.partition, plan.from);
          return;
        }
        if (causedBy(r.getException(), GroupMismatchException.class)) {
          return; // removed before
        }
        LOG.info(
            "partition {}: removing the replica on {}: {}",
            plan.partition,
            plan.from,
            r.getException());
      } catch (IOException e) {
        if (causedBy(e, GroupMismatchException.class)) {
          return; // removed before
        }
        if (System.nanoTime() > deadline) {
          LOG.warn(
              "partition {}: {} did not remove its replica ({}); it will when it sees the new map",
              plan.partition,
              plan.from,
              oneLine(e));
          return;
        }
      }
      pause();
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private void step(Step s) {
    onStep.accept(s);
  }

  private static RaftGroup group(Plan plan) {
    return RaftGroup.valueOf(plan.gid, plan.peers.values());
  }

  private static RaftPeer peer(NodeEntry n, int priority) {
    return RaftPeer.newBuilder()
        .setId(n.id())
        .setAddress(n.raftEndpoint())
        .setPriority(priority)
        .build();
  }

  private static String oneLine(Throwable e) {
    String s = String.valueOf(e.getMessage());
    int nl = s.indexOf('\n');
    return e.getClass().getSimpleName() + ": " + (nl < 0 ? s : s.substring(0, nl));
  }

  private static void pause() throws InterruptedIOException {
    try {
      Thread.sleep(200); // polling remote state between attempts
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("move interrupted");
    }
  }
}
