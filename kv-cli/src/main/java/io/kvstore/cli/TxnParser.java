package io.kvstore.cli;

import com.google.protobuf.ByteString;
import io.kvstore.client.Txns;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Parses the text {@code kv txn} reads: three sections separated by a blank line, as in {@code
 * etcdctl txn} — compares (all must hold), the operations to run if they do, the operations to run
 * if they do not:
 *
 * <pre>
 * # compares
 * version("{acct}/a") = 12
 * value("{acct}/a") > "100"
 * exists("{acct}/b")
 * !exists("{acct}/c")
 *
 * # success
 * put "{acct}/a" "60"
 * del "{acct}/c"
 * get "{acct}/a"
 *
 * # failure
 * get "{acct}/a"
 * </pre>
 *
 * <p>Every blank line ends a section, so a transaction without compares starts with a blank line.
 * Lines starting with {@code #} are comments (not blank lines), and a {@code #} after a complete
 * line starts a comment. Keys and values are quoted strings ({@code "..."} with {@code \"} and
 * {@code \\} escapes, UTF-8) or hex strings ({@code x"00ff"}). Compares: {@code value(K) OP
 * "string"} (unsigned byte order), {@code version(K) OP N} and {@code create_version(K) OP N} (an
 * absent key has version 0) with OP one of {@code = != > <}; {@code exists(K)} and {@code
 * !exists(K)}. Operations: {@code put K V}, {@code del K} (or {@code delete}), {@code get K}.
 * Keywords are case-insensitive.
 *
 * <p>Every error is an {@link InputException} whose message starts with {@code line N: }.
 */
final class TxnParser {
  /** A parsed transaction. */
  record Txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {}

  private static final String[] SECTIONS = {"compares", "success", "failure"};
  private static final String COMPARE_FORMS =
      "value(K) OP \"string\", version(K) OP N, create_version(K) OP N (OP: = != > <), "
          + "exists(K) or !exists(K)";

  private final Limits limits;

  TxnParser(Limits limits) {
    this.limits = limits;
  }

  Txn parse(String text) {
    List<Compare> compares = new ArrayList<>();
    List<TxnOp> success = new ArrayList<>();
    List<TxnOp> failure = new ArrayList<>();
    int section = 0;
    int lineNo = 0;
    int blankRun = 0;
    boolean doubleBlank = false;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isBlank()) {
        blankRun++;
        doubleBlank |= blankRun > 1;
        if (section < SECTIONS.length) {
          section++;
        }
        continue;
      }
      blankRun = 0;
      if (line.strip().startsWith("#")) {
        continue;
      }
      Line l = new Line(line, lineNo);
      switch (section) {
        case 0 -> compares.add(l.compare());
        case 1 -> success.add(l.op(SECTIONS[1]));
        case 2 -> failure.add(l.op(SECTIONS[2]));
        default ->
            throw l.error(
                "text after the failure section; a transaction has three sections (compares, "
                    + "success, failure), each ended by one blank line"
                    + (doubleBlank ? " (two blank lines in a row end two sections)" : ""));
      }
    }
    if (compares.isEmpty() && success.isEmpty() && failure.isEmpty()) {
      throw new InputException(
          "empty transaction: give compares and/or operations (see 'kv txn --help')");
    }
    return new Txn(List.copyOf(compares), List.copyOf(success), List.copyOf(failure));
  }

  /** A cursor over one line. */
  private final class Line {
    private final String s;
    private final int lineNo;
    private int i;

    Line(String s, int lineNo) {
      this.s = s;
      this.lineNo = lineNo;
    }

    Compare compare() {
      space();
      int start = i;
      boolean not = false;
      if (peek() == '!') {
        not = true;
        i++;
        space();
      }
      String word = word();
      if (word.isEmpty()) {
        throw error("expected a compare: " + COMPARE_FORMS + "; found " + found(start));
      }
      String target = word.toLowerCase(Locale.ROOT);
      if (!not && isOpWord(target)) {
        throw error(
            "'"
                + word
                + "' in the compares section; end the compares with a blank line (start with a "
                + "blank line when there are none)");
      }
      if (not && !target.equals("exists")) {
        throw error("'!' only negates exists(K); for the others use !=");
      }
      Compare.Target t =
          switch (target) {
            case "value" -> Compare.Target.VALUE;
            case "version" -> Compare.Target.VERSION;
            case "create_version" -> Compare.Target.CREATE_VERSION;
            case "exists" -> Compare.Target.EXISTS;
            default -> throw error("unknown compare '" + word + "'; compares are " + COMPARE_FORMS);
          };
      expect('(', "'(' after " + target);
      byte[] key = string("a quoted key");
      checkKey(key);
      expect(')', "')' after the key");
      Compare.Builder c = Txns.compare(key, t, Compare.Relation.EQUAL);
      if (t == Compare.Target.EXISTS) {
        c.setNumber(not ? 0 : 1);
      } else {
        space();
        c.setRelation(relation(target));
        if (t == Compare.Target.VALUE) {
          byte[] operand = string("a quoted string after the operator (value compares bytes)");
          c.setValue(ByteString.copyFrom(operand));
        } else {
          c.setNumber(number(target));
        }
      }
      end();
      return c.build();
    }

    TxnOp op(String section) {
      space();
      int start = i;
      String word = word();
      String op = word.toLowerCase(Locale.ROOT);
      if (!isOpWord(op)) {
        if (op.equals("value")
            || op.equals("version")
            || op.equals("create_version")
            || op.equals("exists")
            || peek() == '!') {
          throw error(
              "a compare in the "
                  + section
                  + " section; compares come first, ended by a blank line");
        }
        throw error("expected put, del or get; found " + found(start));
      }
      byte[] key = string("a quoted key after " + op);
      checkKey(key);
      TxnOp result;
      if (op.equals("put")) {
        byte[] value = string("a quoted value after the key");
        try {
          limits.checkValue(value.length);
        } catch (InputException e) {
          throw error(e.getMessage());
        }
        result = Txns.put(key, value);
      } else if (op.equals("get")) {
        result = Txns.get(key);
      } else {
        result = Txns.delete(key);
      }
      end();
      return result;
    }

    private boolean isOpWord(String w) {
      return w.equals("put") || w.equals("get") || w.equals("del") || w.equals("delete");
    }

    private Compare.Relation relation(String target) {
      int start = i;
      char c = peek();
      char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
      if ((c == '>' || c == '<') && next == '=') {
        throw error("'" + c + "=' is not an operator; use =, !=, > or <");
      }
      if (c == '=' && next == '=') {
        i += 2;
        return Compare.Relation.EQUAL;
      }
      if (c == '!' && next == '=') {
        i += 2;
        return Compare.Relation.NOT_EQUAL;
      }
      i++;
      return switch (c) {
        case '=' -> Compare.Relation.EQUAL;
        case '>' -> Compare.Relation.GREATER;
        case '<' -> Compare.Relation.LESS;
        default -> {
          i = start;
          throw error(
              "expected an operator (=, !=, > or <) after " + target + "(...); found " + found(i));
        }
      };
    }

    private long number(String target) {
      space();
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        i = start;
        throw error(
            "expected a version number after the operator ("
                + target
                + " compares numbers, 0 for an absent key); found "
                + found(start));
      }
      String digits = s.substring(start, i);
      if (digits.length() > 18) {
        throw error("version " + digits + " is too large");
      }
      return Long.parseLong(digits);
    }

    /** A quoted or hex string; {@code what} says what was expected, for the error. */
    private byte[] string(String what) {
      space();
      int start = i;
      if (peek() == 'x' || peek() == 'X') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
          i += 2;
          int close = s.indexOf('"', i);
          if (close < 0) {
            throw error("unterminated hex string starting at column " + (start + 1));
          }
          String hex = s.substring(i, close);
          i = close + 1;
          if (hex.length() % 2 != 0) {
            throw error("hex string x\"" + hex + "\" has an odd number of digits");
          }
          try {
            return HexFormat.of().parseHex(hex);
          } catch (IllegalArgumentException e) {
            throw error("hex string x\"" + hex + "\" holds a character that is not a hex digit");
          }
        }
      }
      if (peek() != '"') {
        String hint =
            start < s.length() && s.charAt(start) != '#'
                ? " (strings are quoted: \"text\", or x\"00ff\" for bytes)"
                : "";
        throw error("expected " + what + "; found " + found(start) + hint);
      }
      i++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string starting at column " + (start + 1));
        }
        char c = s.charAt(i++);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          if (i >= s.length()) {
            throw error("unterminated string starting at column " + (start + 1));
          }
          char e = s.charAt(i++);
          if (e != '"' && e != '\\') {
            throw error(
                "unknown escape \\"
                    + e
                    + " at column "
                    + (i - 1)
                    + "; strings know \\\" and \\\\ (use x\"...\" for other bytes)");
          }
          c = e;
        }
        sb.append(c);
      }
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void checkKey(byte[] key) {
      try {
        limits.checkKey(key);
      } catch (InputException e) {
        throw error(e.getMessage());
      }
    }

    private void expect(char c, String what) {
      space();
      if (peek() != c) {
        throw error("expected " + what + "; found " + found(i));
      }
      i++;
    }

    /** Only a comment may follow a complete line. */
    private void end() {
      space();
      if (i < s.length() && s.charAt(i) != '#') {
        throw error("unexpected " + found(i) + " after a complete line");
      }
    }

    private String word() {
      int start = i;
      while (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
        i++;
      }
      return s.substring(start, i);
    }

    private void space() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : 0;
    }

    /** What stands at {@code at}, for an error: a short excerpt, or "end of line". */
    private String found(int at) {
      if (at >= s.length() || s.charAt(at) == '#') {
        return "end of line";
      }
      String rest = s.substring(at).strip();
      int cut = 0;
      while (cut < rest.length() && cut < 20 && !Character.isWhitespace(rest.charAt(cut))) {
        cut++;
      }
      return "'" + rest.substring(0, Math.max(cut, 1)) + "'";
    }

    InputException error(String message) {
      return new InputException("line " + lineNo + ": " + message);
    }
  }
}
