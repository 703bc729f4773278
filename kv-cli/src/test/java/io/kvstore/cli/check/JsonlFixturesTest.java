package io.kvstore.cli.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Histories as a harness would write them, under src/test/resources/check/. */
class JsonlFixturesTest {

  @ParameterizedTest(name = "{0} is {2}")
  @CsvSource({
    "register-linearizable.jsonl, register, LINEARIZABLE",
    "register-stale-read.jsonl, register, NOT_LINEARIZABLE",
    "register-indeterminate-reverts.jsonl, register, NOT_LINEARIZABLE",
    "set-linearizable.jsonl, set, LINEARIZABLE",
    "set-lost-add.jsonl, set, NOT_LINEARIZABLE",
  })
  void fixture_hasTheExpectedVerdict(String file, String model, Verdict expected)
      throws IOException {
    History h = load(file);
    Model initial = model.equals("set") ? SetModel.empty() : RegisterModel.absent();

    CheckResult r = new LinearizabilityChecker(initial).check(h);

    assertEquals(expected, r.verdict(), r::toString);
    assertEquals(h, History.parseJsonl(h.toJsonl()), "JSONL round trip");
  }

  private static History load(String file) throws IOException {
    InputStream in = JsonlFixturesTest.class.getResourceAsStream("/check/" + file);
    assertNotNull(in, file);
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return History.readJsonl(r);
    }
  }
}
