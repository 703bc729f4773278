package io.kvstore.raft.server;

import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.util.ProtoUtils;

/**
 * A group's Raft configuration as a remote server reports it: voters, listeners, and whether a
 * reconfiguration is in progress.
 *
 * <p>Ratis 3.2.2 does not send the configuration in a group-info reply over the network (the server
 * side drops it; RATIS-2601, fixed after 3.2.2). The reply's group does carry every peer of the
 * configuration (current and, during a change, previous) with its startup role, so voters and
 * listeners are told apart by that role: this code adds listeners with startup role LISTENER and
 * voters with FOLLOWER. A change in progress is then not visible ({@code changing} false); the
 * compare-and-set of the next change refuses it instead.
 */
record GroupConf(List<RaftPeer> voters, List<RaftPeer> listeners, boolean changing) {

  static GroupConf of(GroupInfoReply info) {
    if (info.getConf().isPresent()) {
      RaftConfigurationProto c = info.getConf().get();
      return new GroupConf(
          peers(c.getPeersList(), RaftPeerRole.FOLLOWER),
          peers(c.getListenersList(), RaftPeerRole.LISTENER),
          c.getOldPeersCount() > 0 || c.getOldListenersCount() > 0);
    }
    List<RaftPeer> voters = new ArrayList<>();
    List<RaftPeer> listeners = new ArrayList<>();
    for (RaftPeer p : info.getGroup().getPeers()) {
      (p.getStartupRole() == RaftPeerRole.LISTENER ? listeners : voters).add(p);
    }
    return new GroupConf(voters, listeners, false);
  }

  private static List<RaftPeer> peers(List<RaftPeerProto> protos, RaftPeerRole role) {
    List<RaftPeer> out = new ArrayList<>();
    for (RaftPeerProto p : protos) {
      out.add(RaftPeer.newBuilder(ProtoUtils.toRaftPeer(p)).setStartupRole(role).build());
    }
    return out;
  }

  boolean isVoter(String id) {
    return has(voters, id);
  }

  boolean isListener(String id) {
    return has(listeners, id);
  }

  boolean contains(String id) {
    return isVoter(id) || isListener(id);
  }

  private static boolean has(List<RaftPeer> peers, String id) {
    for (RaftPeer p : peers) {
      if (p.getId().toString().equals(id)) {
        return true;
      }
    }
    return false;
  }
}
