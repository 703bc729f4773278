package io.kvstore.cli.check;

import io.kvstore.cli.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The minimal JSON a history line needs: one flat object whose values are strings, numbers, null,
 * or arrays of those. Nesting and booleans are rejected rather than half-supported. Hand-rolled
 * because the grammar is this small and the checker must not pull a JSON library into kv-cli.
 */
final class JsonLine {
  /** A number as written, so that {@code 7} stays "7" and 64-bit nanosecond times stay exact. */
  record JsonNumber(String text) {}

  private final String s;
  private int pos;

  private JsonLine(String s) {
    this.s = s;
  }

  /**
   * Parses one line into field name → String, {@link JsonNumber}, null or List of those.
   *
   * @throws IllegalArgumentException with the column of the first problem
   */
  static Map<String, Object> parse(String line) {
    JsonLine p = new JsonLine(line);
    Map<String, Object> fields = p.object();
    p.skipSpace();
    if (p.pos != line.length()) {
      throw p.error("unexpected text after the object");
    }
    return fields;
  }

  private Map<String, Object> object() {
    Map<String, Object> fields = new LinkedHashMap<>();
    skipSpace();
    expect('{');
    skipSpace();
    if (peek() == '}') {
      pos++;
      return fields;
    }
    while (true) {
      skipSpace();
      String name = string();
      skipSpace();
      expect(':');
      skipSpace();
      if (fields.containsKey(name)) {
        throw error("duplicate field \"" + name + "\"");
      }
      fields.put(name, peek() == '[' ? array() : scalar());
      skipSpace();
      char c = next();
      if (c == '}') {
        return fields;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    expect('[');
    List<Object> items = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return items;
    }
    while (true) {
      skipSpace();
      items.add(scalar());
      skipSpace();
      char c = next();
      if (c == ']') {
        return items;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private Object scalar() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == 'n' && s.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    if (c == '{' || c == '[') {
      throw error("nested objects and arrays are not part of the history format");
    }
    throw error("expected a string, number or null");
  }

  private JsonNumber number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    digits();
    if (peek() == '.') {
      pos++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      digits();
    }
    return new JsonNumber(s.substring(start, pos));
  }

  private void digits() {
    int start = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == start) {
      throw error("expected a digit");
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
          }
          try {
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> {
          pos--;
          throw error("bad escape \\" + e);
        }
      }
    }
  }

  private void skipSpace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= s.length()) {
      throw error("unexpected end of line");
    }
    return s.charAt(pos++);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException(message + " at column " + (pos + 1));
  }

  /** Writes fields as one compact object; values as accepted by {@link #parse}. */
  static String write(Map<String, Object> fields) {
    StringBuilder sb = new StringBuilder("{");
    String sep = "";
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      sb.append(sep);
      Json.quote(sb, f.getKey());
      sb.append(':');
      Object v = f.getValue();
      if (v instanceof Collection<?> items) {
        sb.append('[');
        String itemSep = "";
        for (Object item : items) {
          sb.append(itemSep);
          writeScalar(sb, item);
          itemSep = ",";
        }
        sb.append(']');
      } else {
        writeScalar(sb, v);
      }
      sep = ",";
    }
    return sb.append('}').toString();
  }

  private static void writeScalar(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String str) {
      Json.quote(sb, str);
    } else if (v instanceof Long || v instanceof Integer) {
      sb.append(v);
    } else if (v instanceof JsonNumber n) {
      sb.append(n.text());
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName());
    }
  }
}
