package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {

  private static String print(TextTable t, OutputFormat format) {
    StringWriter sw = new StringWriter();
    try (PrintWriter pw = new PrintWriter(sw)) {
      t.print(pw, format);
    }
    return sw.toString().replace(System.lineSeparator(), "\n");
  }

  @Test
  void table_padsColumnsToTheWidestCellWithoutTrailingSpaces() {
    TextTable t = new TextTable(List.of("NODE", "ROLE"));
    t.add(List.of("n1", "LEADER"));
    t.add(List.of("node-22", "F"));
    assertEquals("NODE      ROLE\nn1        LEADER\nnode-22   F\n", print(t, OutputFormat.table));
  }

  @Test
  void plain_isTabSeparatedWithoutHeader() {
    TextTable t = new TextTable(List.of("A", "B"));
    t.add(List.of("1", "2"));
    assertEquals("1\t2\n", print(t, OutputFormat.plain));
  }

  @Test
  void add_rejectsRowsOfTheWrongWidth() {
    TextTable t = new TextTable(List.of("A", "B"));
    assertThrows(IllegalArgumentException.class, () -> t.add(List.of("1")));
  }
}
