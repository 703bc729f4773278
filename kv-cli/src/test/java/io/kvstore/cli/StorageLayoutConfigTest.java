package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.raft.server.ConfigException;
import io.kvstore.raft.server.NodeConfig;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** storage.value-layout and storage.file-access: defaults, both values, a clear error. */
class StorageLayoutConfigTest {
  private static Properties base() {
    Properties p = new Properties();
    p.setProperty("node.id", "n1");
    p.setProperty("node.data-dir", "data/n1");
    p.setProperty("cluster.members", "n1:127.0.0.1:9860:9870");
    p.setProperty("cluster.replication-factor", "1");
    return p;
  }

  @Test
  void defaults_areInlineValuesAndMmap() {
    NodeConfig c = NodeConfig.fromProperties(base());
    assertFalse(c.storageValuesSeparate());
    assertTrue(c.storageMmap());
  }

  @Test
  void separateValuesAndChannelAccess_areRead() {
    Properties p = base();
    p.setProperty("storage.value-layout", "separate");
    p.setProperty("storage.file-access", "channel");
    NodeConfig c = NodeConfig.fromProperties(p);
    assertTrue(c.storageValuesSeparate());
    assertFalse(c.storageMmap());
  }

  @Test
  void unknownLayout_isRefusedWithTheKeyAndChoices() {
    Properties p = base();
    p.setProperty("storage.value-layout", "outside");
    ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.fromProperties(p));
    assertEquals(
        "config key 'storage.value-layout': expected one of inline, separate, got 'outside'",
        e.getMessage());
  }
}
