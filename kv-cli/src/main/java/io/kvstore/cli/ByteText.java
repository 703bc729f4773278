package io.kvstore.cli;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Keys and values as table cells (txn, scan): the text itself when the bytes are UTF-8 without
 * control characters, else {@code x"<hex>"}, the txn syntax for binary strings, so a cell never
 * breaks a row or a column.
 */
final class ByteText {
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=-]+");

  private ByteText() {}

  static String cell(byte[] bytes) {
    return isPrintable(bytes)
        ? new String(bytes, StandardCharsets.UTF_8)
        : "x\"" + HexFormat.of().formatHex(bytes) + "\"";
  }

  /** A table cell of at most {@code max} characters: longer ones end in "…" and their size. */
  static String cell(byte[] bytes, int max) {
    String s = cell(bytes);
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, max) + "… (" + bytes.length + " bytes)";
  }

  /** UTF-8 text without control characters (no tab, newline, DEL or C1 controls). */
  static boolean isPrintable(byte[] bytes) {
    if (!BinaryEncoding.isUtf8(bytes)) {
      return false;
    }
    String s = new String(bytes, StandardCharsets.UTF_8);
    return s.codePoints().noneMatch(Character::isISOControl);
  }

  /** {@code s} as one shell word: unchanged when safe, else single-quoted. */
  static String shellWord(String s) {
    if (SHELL_SAFE.matcher(s).matches()) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
