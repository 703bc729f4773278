package io.kvstore.cli;

import java.util.Collection;
import java.util.Map;

/**
 * Renders {@code -o json} output: maps become objects (in iteration order, so use a LinkedHashMap
 * for a stable field order), collections arrays; strings, numbers, booleans and null as themselves.
 * Output is one compact document; a JSON library would be a dependency for what fits in this class.
 */
public final class Json {
  private Json() {}

  static String render(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(sb, s);
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        sb.append(sep);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
        sep = ",";
      }
      sb.append('}');
    } else if (value instanceof Collection<?> list) {
      sb.append('[');
      String sep = "";
      for (Object o : list) {
        sb.append(sep);
        write(sb, o);
        sep = ",";
      }
      sb.append(']');
    } else {
      throw new IllegalStateException("cannot render " + value.getClass() + " as JSON");
    }
  }

  /** Escapes per RFC 8259: quote, backslash and all control characters. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          // U+2028/2029 are legal JSON but break JavaScript consumers; escaping them is harmless.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
