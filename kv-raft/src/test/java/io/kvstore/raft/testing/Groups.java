package io.kvstore.raft.testing;

import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;

/** Picks groups out of a node's status report. */
public final class Groups {
  private Groups() {}

  /** The status of data partition {@code p} on that node, or null if it hosts no replica. */
  public static GroupStatus partition(ClusterStatusResponse s, int p) {
    if (s == null) {
      return null;
    }
    for (GroupStatus g : s.getGroupsList()) {
      if (!g.getMeta() && g.getPartition() == p) {
        return g;
      }
    }
    return null;
  }
}
