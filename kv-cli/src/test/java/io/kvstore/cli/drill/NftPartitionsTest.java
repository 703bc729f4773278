package io.kvstore.cli.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The nft table's life cycle: rules as specified, healed by a flush, gone after close. */
class NftPartitionsTest {
  private static final NftPartitions.Endpoint A =
      new NftPartitions.Endpoint(123456701, "127.0.0.241", 40001, 40002);
  private static final NftPartitions.Endpoint B =
      new NftPartitions.Endpoint(123456702, "127.0.0.242", 40003, 40004);
  private static final NftPartitions.Endpoint C =
      new NftPartitions.Endpoint(123456703, "127.0.0.243", 40005, 40006);

  @BeforeEach
  void needsNftables() {
    String reason = NftPartitions.unusableReason();
    if (reason != null && "1".equals(System.getenv("KV_DRILL_REQUIRE_NFT"))) {
      fail("KV_DRILL_REQUIRE_NFT=1 but nftables is unusable: " + reason);
    }
    assumeTrue(reason == null, reason);
  }

  @Test
  void cutsBothWaysHealsAndRemovesItsTable() {
    NftPartitions nft = NftPartitions.create();
    String table = nft.table();
    try {
      nft.cut(NftPartitions.between(List.of(List.of(A), List.of(B, C))));
      String rules = nft.list();
      assertEquals(4, count(rules, " drop"), rules);
      assertTrue(
          rules.contains(
              "meta skuid 123456701 ip daddr 127.0.0.242 tcp dport { 40003, 40004 } drop"),
          rules);
      assertTrue(
          rules.contains(
              "meta skuid 123456703 ip daddr 127.0.0.241 tcp dport { 40001, 40002 } drop"),
          rules);
      assertFalse(rules.contains("skuid 123456702 ip daddr 127.0.0.243"), "B and C stay joined");
      nft.heal();
      assertEquals(0, count(nft.list(), " drop"));
    } finally {
      nft.close();
    }
    assertFalse(listTables().contains("inet " + table + "\n"), table + " left behind");
    assertThrows(IllegalStateException.class, nft::list);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static String listTables() {
    try {
      Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
