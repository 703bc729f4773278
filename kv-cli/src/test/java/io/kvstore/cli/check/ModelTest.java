package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelTest {
  private static final RegisterModel A = new RegisterModel("a");

  @Test
  void register_readMustSeeTheCurrentValueAndAbsentIsNull() {
    assertEquals(Optional.of(A), A.step(ok("read", null, "a")));
    assertEquals(Optional.empty(), A.step(ok("read", null, "b")));
    assertEquals(Optional.empty(), A.step(ok("read", null, null)));
    assertTrue(RegisterModel.absent().step(ok("read", null, null)).isPresent());
  }

  @Test
  void register_writeReplacesTheValue() {
    assertEquals(Optional.of(new RegisterModel("b")), A.step(ok("write", "b", "b")));
  }

  @Test
  void register_okCasRequiresTheExpectedValue() {
    assertEquals(Optional.of(new RegisterModel("b")), A.step(ok("cas", List.of("a", "b"), null)));
    assertEquals(Optional.empty(), A.step(ok("cas", List.of("z", "b"), null)));
    assertEquals(
        Optional.of(A), RegisterModel.absent().step(ok("cas", Arrays.asList(null, "a"), null)));
  }

  @Test
  void register_indeterminateCasAppliesOnlyIfItMatches() {
    assertEquals(
        Optional.of(new RegisterModel("b")), A.step(indeterminate("cas", List.of("a", "b"))));
    assertEquals(Optional.of(A), A.step(indeterminate("cas", List.of("z", "b"))));
  }

  @Test
  void register_dropsIndeterminateOperationsNobodyObserved() {
    Operation seenWrite = indeterminate("write", "b");
    Operation unseenWrite = indeterminate("write", "c");
    Operation unseenCas = indeterminate("cas", List.of("b", "g"));
    List<Operation> ops =
        List.of(
            ok("write", "a", "a"),
            seenWrite,
            unseenWrite,
            indeterminate("read", null),
            unseenCas,
            ok("read", null, "b"));

    assertEquals(List.of(ops.get(0), seenWrite, ops.get(5)), A.withoutUnobservable(ops));
  }

  @Test
  void register_keepsAChainOfIndeterminateCasOnlyIfItsEndIsObserved() {
    Operation toE = indeterminate("write", "e");
    Operation eToF = indeterminate("cas", List.of("e", "f"));
    Operation fToG = indeterminate("cas", List.of("f", "g"));
    Operation xToY = indeterminate("write", "x");
    Operation yToZ = indeterminate("cas", List.of("x", "y"));

    assertEquals(
        List.of(toE, eToF, fToG, ok("read", null, "g")),
        A.withoutUnobservable(List.of(toE, eToF, fToG, xToY, yToZ, ok("read", null, "g"))));
    assertEquals(
        List.of(ok("read", null, "a")),
        A.withoutUnobservable(List.of(toE, eToF, fToG, ok("read", null, "a"))));
  }

  @Test
  void register_anOkCasObservesItsExpectedValue() {
    Operation write = indeterminate("write", "b");

    assertEquals(
        List.of(write, ok("cas", List.of("b", "c"), null)),
        A.withoutUnobservable(List.of(write, ok("cas", List.of("b", "c"), null))));
  }

  @Test
  void register_rejectsUnknownOperationsAndMalformedValues() {
    assertThrows(IllegalArgumentException.class, () -> A.step(ok("add", "e", null)));
    assertThrows(IllegalArgumentException.class, () -> A.step(ok("write", null, null)));
    assertThrows(IllegalArgumentException.class, () -> A.step(ok("cas", "a", null)));
    assertThrows(IllegalArgumentException.class, () -> A.step(ok("read", null, List.of("a"))));
  }

  @Test
  void register_isAValue() {
    assertEquals(new RegisterModel("a"), A);
    assertEquals(new RegisterModel("a").hashCode(), A.hashCode());
    assertNotEquals(RegisterModel.absent(), A);
  }

  @Test
  void set_addGrowsTheSetAndReadMustSeeExactlyIt() {
    Model s = SetModel.empty().step(ok("add", "e1", null)).orElseThrow();
    s = s.step(ok("add", "e2", null)).orElseThrow();

    assertEquals(SetModel.of(List.of("e1", "e2")), s);
    assertTrue(s.step(ok("read", null, List.of("e2", "e1"))).isPresent());
    assertFalse(s.step(ok("read", null, List.of("e1"))).isPresent());
    assertFalse(s.step(ok("read", null, List.of("e1", "e2", "e3"))).isPresent());
  }

  @Test
  void set_dropsIndeterminateAddsNoReadReturned() {
    Operation seen = indeterminate("add", "e1");
    List<Operation> ops =
        List.of(
            seen,
            indeterminate("add", "e2"),
            indeterminate("read", null),
            ok("add", "e3", null),
            ok("read", null, List.of("e1", "e3")));

    assertEquals(List.of(seen, ops.get(3), ops.get(4)), SetModel.empty().withoutUnobservable(ops));
  }

  @Test
  void set_isAValueIndependentOfInsertionOrder() {
    SetModel ab = SetModel.of(List.of("a", "b"));
    SetModel ba = SetModel.of(List.of("b", "a"));

    assertEquals(ab, ba);
    assertEquals(ab.hashCode(), ba.hashCode());
    assertNotEquals(SetModel.empty(), ab);
  }

  @Test
  void set_rejectsUnknownOperationsAndMalformedValues() {
    assertThrows(
        IllegalArgumentException.class, () -> SetModel.empty().step(ok("write", "a", "a")));
    assertThrows(
        IllegalArgumentException.class, () -> SetModel.empty().step(ok("read", null, "a")));
  }

  private static Operation ok(String f, Object input, Object output) {
    return new Operation(0, 1, f, "k", input, output, Operation.Outcome.OK, 0, 1);
  }

  private static Operation indeterminate(String f, Object input) {
    return new Operation(0, 1, f, "k", input, null, Operation.Outcome.INDETERMINATE, 0, 0);
  }
}
