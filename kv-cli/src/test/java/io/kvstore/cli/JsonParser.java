package io.kvstore.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser for tests: objects become LinkedHashMaps, arrays Lists, numbers Longs
 * (or Doubles), so assertions can read {@code -o json} output field by field. Anything that is not
 * one valid JSON document (trailing text included) throws IllegalArgumentException.
 */
final class JsonParser {
  private final String s;
  private int i;

  private JsonParser(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    JsonParser p = new JsonParser(text);
    Object v = p.value();
    p.space();
    if (p.i != text.length()) {
      throw p.error("trailing text");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parseArrayOfObjects(String text) {
    return (List<Map<String, Object>>) parse(text);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text) {
    return (Map<String, Object>) parse(text);
  }

  private Object value() {
    space();
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        return number();
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    space();
    if (peek() == '}') {
      i++;
      return m;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("expected a key");
      }
      String key = string();
      space();
      expect(':');
      if (m.containsKey(key)) {
        throw error("duplicate key " + key);
      }
      m.put(key, value());
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect('}');
        return m;
      }
    }
  }

  private List<Object> array() {
    List<Object> list = new ArrayList<>();
    i++;
    space();
    if (peek() == ']') {
      i++;
      return list;
    }
    while (true) {
      list.add(value());
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect(']');
        return list;
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw error("bad escape");
      }
    }
  }

  private Object number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String n = s.substring(start, i);
    if (!n.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
      throw error("bad number '" + n + "'");
    }
    return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
  }

  private Object literal(String word, Object value) {
    if (!s.startsWith(word, i)) {
      throw error("bad literal");
    }
    i += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    i++;
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void space() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + i + " of: " + s);
  }
}
