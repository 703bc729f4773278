package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void convert_acceptsMillisecondsSecondsAndMinutes() {
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofSeconds(5), converter.convert("5s"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
  }

  @Test
  void convert_rejectsZeroMissingUnitsAndNegativeValues() {
    for (String bad : new String[] {"0s", "5", "-1s", "1.5s", "s", "5 h"}) {
      assertThrows(TypeConversionException.class, () -> converter.convert(bad), bad);
    }
  }
}
