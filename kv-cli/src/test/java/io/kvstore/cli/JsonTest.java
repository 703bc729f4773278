package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void render_escapesQuotesBackslashesAndControlCharacters() {
    assertEquals(
        "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u2028\"", Json.render("a\"b\\c\nd\te\u0001f\u2028"));
  }

  @Test
  void render_keepsNonAsciiTextAsIs() {
    assertEquals("\"grüße ✓\"", Json.render("grüße ✓"));
  }

  @Test
  void render_objectsKeepInsertionOrderAndNestArraysAndNulls() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", 1L);
    m.put("a", true);
    m.put("n", null);
    m.put("list", new ArrayList<>(Arrays.asList("x", 2, null)));
    m.put("empty", Map.of());
    assertEquals(
        "{\"z\":1,\"a\":true,\"n\":null,\"list\":[\"x\",2,null],\"empty\":{}}", Json.render(m));
  }

  @Test
  void render_emptyArray() {
    assertEquals("[]", Json.render(List.of()));
  }
}
