package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built histories with known verdicts. Times are arbitrary units; only order matters. */
class LinearizabilityCheckerTest {
  private static final LinearizabilityChecker REGISTER =
      new LinearizabilityChecker(RegisterModel.absent());
  private static final LinearizabilityChecker SET = new LinearizabilityChecker(SetModel.empty());

  // ---- linearizable ----

  @Test
  void emptyHistory_isLinearizable() {
    assertEquals(Verdict.LINEARIZABLE, REGISTER.check(History.of()).verdict());
  }

  @Test
  void readBeforeAnyWrite_seesAbsent() {
    assertLinearizable(new HistoryBuilder().read(1, null, 0, 5).write(2, "a", 10, 20));
  }

  @Test
  void overlappingWritesAndReads_mayTakeEffectInEitherOrder() {
    // w(b) is invoked before w(a) returns, so it may take effect after it; the read sees a.
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .write(2, "b", 5, 15)
            .read(3, "a", 12, 20)
            .read(1, "a", 25, 30));
  }

  @Test
  void readConcurrentWithTwoWrites_maySeeEither() {
    for (String seen : new String[] {"a", "b"}) {
      assertLinearizable(
          new HistoryBuilder().write(1, "a", 0, 10).write(2, "b", 0, 10).read(3, seen, 15, 20));
    }
  }

  @Test
  void readConcurrentWithAWrite_maySeeTheOldOrTheNewValue() {
    for (String seen : new String[] {"a", "b"}) {
      assertLinearizable(
          new HistoryBuilder().write(1, "a", 0, 10).write(1, "b", 20, 40).read(2, seen, 25, 30));
    }
  }

  @Test
  void touchingIntervals_countAsConcurrent() {
    assertLinearizable(new HistoryBuilder().write(1, "a", 0, 10).read(2, null, 10, 20));
  }

  @Test
  void indeterminateWrite_mayBecomeVisibleLongAfterItsInfo() {
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .writeIndeterminate(2, "b", 20, 30)
            .read(3, "a", 40, 50)
            .read(3, "b", 1000, 1010)
            .read(4, "b", 1020, 1030));
  }

  @Test
  void unansweredWrite_mayBecomeVisible() {
    assertLinearizable(
        new HistoryBuilder()
            .writeUnanswered(2, "b", 20)
            .read(3, null, 30, 40)
            .read(3, "b", 50, 60));
  }

  @Test
  void indeterminateWrite_mayNeverTakeEffect() {
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .writeIndeterminate(2, "b", 20, 30)
            .writeUnanswered(4, "c", 25)
            .read(3, "a", 40, 50)
            .read(3, "a", 1000, 1010));
  }

  @Test
  void indeterminateRead_constrainsNothing() {
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .readIndeterminate(2, 20, 30)
            .read(3, "a", 40, 50));
  }

  @Test
  void casSuccess_requiresAndReplacesTheExpectedValue() {
    assertLinearizable(
        new HistoryBuilder().write(1, "a", 0, 10).cas(2, "a", "b", 20, 30).read(3, "b", 40, 50));
  }

  @Test
  void casOnAbsent_createsTheKey() {
    assertLinearizable(new HistoryBuilder().cas(1, null, "a", 0, 10).read(2, "a", 20, 30));
  }

  @Test
  void casFailure_hasNoEffect() {
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .casFailed(2, "z", "b", 20, 30)
            .read(3, "a", 40, 50));
  }

  @Test
  void concurrentCasesFromTheSameValue_canBothSucceedOnlyInSequence() {
    // cas(a→b) then cas(b→c): both ok, in one order only.
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .cas(2, "b", "c", 20, 40)
            .cas(3, "a", "b", 20, 40)
            .read(1, "c", 50, 60));
  }

  @Test
  void indeterminateCas_mayApplyLater() {
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .casIndeterminate(2, "a", "b", 20, 30)
            .read(3, "a", 40, 50)
            .read(3, "b", 60, 70));
  }

  @Test
  void setRead_seesEveryCompletedAddAndMaySeeConcurrentOnes() {
    assertEquals(
        Verdict.LINEARIZABLE,
        SET.check(
                new HistoryBuilder()
                    .add(1, "e1", 0, 10)
                    .add(2, "e2", 15, 40)
                    .readSet(3, List.of("e1"), 20, 30)
                    .readSet(3, List.of("e1", "e2"), 35, 45)
                    .addIndeterminate(4, "e3", 50, 60)
                    .readSet(3, List.of("e2", "e1", "e3"), 100, 110)
                    .build())
            .verdict());
  }

  // ---- not linearizable ----

  @Test
  void staleRead_afterACompletedWrite_isNotLinearizable_andExplained() {
    KeyResult r =
        notLinearizable(
            new HistoryBuilder().write(1, "a", 0, 10).write(1, "b", 20, 30).read(2, "a", 40, 50));

    Explanation why = r.explanation();
    assertEquals("read", why.unplaced().f());
    assertEquals("a", why.unplaced().output());
    assertEquals(40, why.unplaced().invokeTime());
    assertEquals(50, why.unplaced().completeTime());
    assertEquals(new RegisterModel("b"), why.stateAfterPrefix());
    assertEquals(2, why.longestPrefix().size());
    assertTrue(
        why.toString().contains("could not place: p2 read x → \"a\" [40, 50]"), why::toString);
  }

  @Test
  void absentRead_afterACompletedWrite_isNotLinearizable() {
    notLinearizable(new HistoryBuilder().write(1, "a", 0, 10).read(2, null, 20, 30));
  }

  @Test
  void readOfAValueNeverWritten_isNotLinearizable() {
    notLinearizable(new HistoryBuilder().write(1, "a", 0, 10).read(2, "z", 5, 30));
  }

  @Test
  void readOfAFailedWrite_isNotLinearizable() {
    notLinearizable(new HistoryBuilder().writeFailed(1, "a", 0, 10).read(2, "a", 20, 30));
  }

  @Test
  void valueReappearingAfterBeingOverwritten_isALostWrite() {
    notLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .write(1, "b", 20, 30)
            .read(2, "b", 40, 50)
            .read(2, "a", 60, 70));
  }

  @Test
  void indeterminateWrite_cannotBeUndoneOnceSeen() {
    notLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .writeIndeterminate(2, "b", 20, 30)
            .read(3, "b", 40, 50)
            .read(3, "a", 60, 70));
  }

  @Test
  void twoCasesFromTheSameExpectedValue_cannotBothSucceed() {
    notLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .cas(2, "a", "b", 20, 30)
            .cas(3, "a", "c", 20, 30));
  }

  @Test
  void setReadMissingACompletedAdd_isALostAdd() {
    KeyResult r =
        SET.check(
                new HistoryBuilder()
                    .add(1, "e1", 0, 10)
                    .add(2, "e2", 5, 15)
                    .readSet(3, List.of("e1", "e2"), 20, 30)
                    .readSet(3, List.of("e2"), 40, 50)
                    .build())
            .keys()
            .get(0);

    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict());
    assertEquals(List.of("e2"), r.explanation().unplaced().output());
  }

  // ---- keys, verdicts and budgets ----

  @Test
  void keys_areCheckedIndependently() {
    History h =
        new HistoryBuilder()
            .key("good")
            .write(1, "a", 0, 10)
            .key("bad")
            .write(2, "a", 0, 10)
            .key("good")
            .read(3, "a", 20, 30)
            .key("bad")
            .read(4, "z", 20, 30)
            .build();

    CheckResult r = REGISTER.check(h);

    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict());
    assertFalse(r.isValid());
    assertEquals(List.of("bad", "good"), r.keys().stream().map(KeyResult::key).toList());
    assertEquals(List.of("bad"), r.failures().stream().map(KeyResult::key).toList());
  }

  @Test
  void writesToOtherKeys_doNotCountForThisOne() {
    // Checked as one register, the read of x would be stale; per key it is not.
    assertLinearizable(
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .key("y")
            .write(1, "b", 20, 30)
            .key("x")
            .read(2, "a", 40, 50));
  }

  @Test
  void exhaustedBudget_isUnknown_andFailsTheHistory() {
    History h =
        new HistoryBuilder()
            .write(1, "a", 0, 10)
            .write(2, "b", 0, 10)
            .write(3, "c", 0, 10)
            .read(4, "a", 20, 30)
            .build();
    LinearizabilityChecker tiny =
        new LinearizabilityChecker(RegisterModel.absent(), SearchBudget.steps(3));
    assertEquals(Verdict.LINEARIZABLE, REGISTER.check(h).verdict());

    CheckResult r = tiny.check(h);

    assertEquals(Verdict.UNKNOWN, r.verdict());
    assertFalse(r.isValid());
    assertEquals(3, r.keys().get(0).steps());
  }

  @Test
  void notLinearizable_outranksUnknown() {
    CheckResult r =
        new CheckResult(
            List.of(
                new KeyResult("a", Verdict.UNKNOWN, 3, 10, null),
                new KeyResult("b", Verdict.LINEARIZABLE, 3, 10, null)));
    assertEquals(Verdict.UNKNOWN, r.verdict());

    KeyResult bad =
        new KeyResult(
            "c",
            Verdict.NOT_LINEARIZABLE,
            1,
            1,
            new Explanation(List.of(), RegisterModel.absent(), null));
    assertEquals(
        Verdict.NOT_LINEARIZABLE, new CheckResult(List.of(r.keys().get(0), bad)).verdict());
  }

  @Test
  void unknownOperation_isRejectedNotIgnored() {
    History h = new HistoryBuilder().add(1, "e", 0, 10).build();

    assertThrows(IllegalArgumentException.class, () -> REGISTER.check(h));
  }

  @Test
  void searchBudget_mustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> SearchBudget.steps(0));
  }

  private static void assertLinearizable(HistoryBuilder history) {
    CheckResult r = REGISTER.check(history.build());
    assertEquals(Verdict.LINEARIZABLE, r.verdict(), r::toString);
    assertTrue(r.isValid());
  }

  private static KeyResult notLinearizable(HistoryBuilder history) {
    CheckResult r = REGISTER.check(history.build());
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), r::toString);
    KeyResult k = r.keys().get(0);
    assertNotNull(k.explanation());
    assertNotNull(k.explanation().unplaced(), k::toString);
    return k;
  }
}
