package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

  @Test
  void jsonl_roundTripsEveryValueShape() {
    History h =
        History.of(
            Event.invoke(3, "write", "k1", "v7", 123456789L),
            Event.ok(3, "write", "k1", "v7", 123999000L),
            Event.invoke(4, "cas", "k1", Arrays.asList(null, "v8"), 5L),
            Event.fail(4, "cas", "k1", Arrays.asList(null, "v8"), 6L),
            Event.invoke(5, "read", "s\"1\n", null, Long.MAX_VALUE - 1),
            Event.ok(5, "read", "s\"1\n", List.of("a", "b\\c", "\u2028"), Long.MAX_VALUE),
            Event.invoke(-6, "add", "s", "é", -7L),
            Event.info(-6, "add", "s", null, -1L));

    assertEquals(h, History.parseJsonl(h.toJsonl()));
  }

  @Test
  void jsonl_writesTheDocumentedFieldOrder() {
    History h = History.of(Event.invoke(3, "write", "k1", "v7", 123456789L));

    assertEquals(
        "{\"process\":3,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":\"v7\","
            + "\"time\":123456789}\n",
        h.toJsonl());
  }

  @Test
  void jsonl_readsNumbersAsTheirText_skipsBlankLines_ignoresUnknownFields() {
    History h =
        History.parseJsonl(
            "\n { \"time\" : 10 , \"process\":1,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k\","
                + "\"value\":[7, null],\"node\":\"n1\"}\n\n"
                + "{\"process\":1,\"type\":\"info\",\"f\":\"cas\",\"key\":\"k\",\"time\":11,"
                + "\"error\":\"timeout\"}\n");

    assertEquals(2, h.events().size());
    assertEquals(Arrays.asList("7", null), h.events().get(0).value());
    assertNull(h.events().get(1).value());
    assertEquals(10L, h.events().get(0).time());
  }

  @Test
  void jsonl_decodesEscapes() {
    History h =
        History.parseJsonl(
            "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\","
                + "\"value\":\"a\\u00e9\\t\\/\\\"\",\"time\":1}");

    assertEquals("aé\t/\"", h.events().get(0).value());
  }

  @Test
  void jsonl_rejectsAMalformedLineNamingIt() {
    String good = "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\",\"time\":1}\n";
    assertLineError(good + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k\"}", 2);
    assertLineError(good + good.replace("\"time\":1", "\"time\":1.5"), 2);
    assertLineError(good.replace("invoke", "started"), 1);
    assertLineError(good.replace("\"key\":\"k\"", "\"key\":{\"a\":1}"), 1);
    assertLineError(good.replace("\"key\":\"k\"", "\"key\":\"k\",\"key\":\"j\""), 1);
    assertLineError(good.replace("}", "} x"), 1);
    assertLineError(good.replace("\"time\":1", "\"time\":true"), 1);
    assertLineError("\n\n" + good.substring(0, 20), 3);
  }

  @Test
  void operations_pairsEachInvocationWithItsProcesssCompletion() {
    History h =
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .read(2, "a", 5, 15)
            .writeFailed(3, "b", 6, 8)
            .build();

    List<Operation> ops = h.operations();

    assertEquals(3, ops.size());
    Operation write = ops.get(0);
    assertEquals(Operation.Outcome.OK, write.outcome());
    assertEquals("a", write.input());
    assertEquals(0, write.invokeTime());
    assertEquals(10, write.completeTime());
    Operation read = ops.get(1);
    assertNull(read.input());
    assertEquals("a", read.output());
    assertEquals(Operation.Outcome.FAIL, ops.get(2).outcome());
  }

  @Test
  void operations_infoAndMissingCompletionAreIndeterminateWithNoUpperBound() {
    History h =
        new HistoryBuilder().writeIndeterminate(1, "a", 0, 10).writeUnanswered(2, "b", 5).build();

    List<Operation> ops = h.operations();

    assertEquals(2, ops.size());
    for (Operation op : ops) {
      assertTrue(op.isIndeterminate(), op.toString());
      assertEquals(Operation.UNBOUNDED, op.completeTime());
      assertNull(op.output());
    }
  }

  @Test
  void operations_acceptsAProcessReusedAfterInfo() {
    History h =
        new HistoryBuilder().writeIndeterminate(1, "a", 0, 10).write(1, "b", 20, 30).build();

    assertEquals(2, h.operations().size());
  }

  @Test
  void operations_rejectsASecondInvocationWhileOneIsPending() {
    History h =
        History.of(Event.invoke(1, "write", "k", "a", 0), Event.invoke(1, "write", "k", "b", 1));

    HistoryFormatException e = assertThrows(HistoryFormatException.class, h::operations);
    assertTrue(e.getMessage().contains("pending"), e.getMessage());
  }

  @Test
  void operations_rejectsACompletionWithoutInvocation() {
    History h = History.of(Event.ok(1, "write", "k", "a", 0));

    assertThrows(HistoryFormatException.class, h::operations);
  }

  @Test
  void operations_rejectsACompletionOfAnotherOperation() {
    History h =
        History.of(Event.invoke(1, "write", "k", "a", 0), Event.ok(1, "write", "j", "a", 1));

    assertThrows(HistoryFormatException.class, h::operations);
  }

  @Test
  void operations_rejectsACompletionBeforeItsInvocation() {
    History h =
        History.of(Event.invoke(1, "write", "k", "a", 5), Event.ok(1, "write", "k", "a", 4));

    assertThrows(HistoryFormatException.class, h::operations);
  }

  @Test
  void event_rejectsValuesOtherThanStringsAndStringLists() {
    assertThrows(IllegalArgumentException.class, () -> Event.invoke(1, "write", "k", 7, 0));
    assertThrows(
        IllegalArgumentException.class, () -> Event.invoke(1, "write", "k", List.of(7), 0));
  }

  private static void assertLineError(String jsonl, int line) {
    HistoryFormatException e =
        assertThrows(HistoryFormatException.class, () -> History.parseJsonl(jsonl));
    assertTrue(e.getMessage().startsWith("line " + line + ":"), e.getMessage());
  }
}
