package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvstore.client.Txns;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.Compare.Relation;
import io.kvstore.client.proto.Compare.Target;
import io.kvstore.client.proto.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The txn input syntax: every valid form, and every error naming its line. */
class TxnParserTest {
  private static final TxnParser PARSER = new TxnParser(new Limits(16, 8));

  private static TxnParser.Txn parse(String... lines) {
    return PARSER.parse(String.join("\n", lines));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Compare compare(String key, Target t, Relation r, long number) {
    return Txns.compare(b(key), t, r).setNumber(number).build();
  }

  private static Compare valueCompare(String key, Relation r, String value) {
    return Txns.compare(b(key), Target.VALUE, r).setValue(ByteString.copyFromUtf8(value)).build();
  }

  /** Parsing fails with exactly {@code message}. */
  private static void error(String message, String... lines) {
    InputException e = assertThrows(InputException.class, () -> parse(lines));
    assertEquals(message, e.getMessage());
  }

  /** Parsing fails with a message that starts with {@code prefix}. */
  private static void errorStarting(String prefix, String... lines) {
    InputException e = assertThrows(InputException.class, () -> parse(lines));
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void theBriefsExample_parsesIntoCompareSuccessAndFailure() {
    TxnParser.Txn t =
        new TxnParser(new Limits(1024, 1 << 20))
            .parse(
                """
                # compares, one per line (all must hold)
                version("{acct}/a") = 12
                value("{acct}/a") > "100"
                exists("{acct}/b")
                !exists("{acct}/c")

                # success ops, one per line
                put "{acct}/a" "60"
                put "{acct}/b" "40"
                get "{acct}/a"

                # failure ops
                get "{acct}/a"
                """);
    assertEquals(
        List.of(
            compare("{acct}/a", Target.VERSION, Relation.EQUAL, 12),
            valueCompare("{acct}/a", Relation.GREATER, "100"),
            Txns.exists(b("{acct}/b")),
            Txns.absent(b("{acct}/c"))),
        t.compares());
    assertEquals(
        List.of(
            Txns.put(b("{acct}/a"), b("60")),
            Txns.put(b("{acct}/b"), b("40")),
            Txns.get(b("{acct}/a"))),
        t.success());
    assertEquals(List.of(Txns.get(b("{acct}/a"))), t.failure());
  }

  @Test
  void everyOperatorOnEveryTarget() {
    TxnParser.Txn t =
        parse(
            "version(\"k\") = 1",
            "version(\"k\") == 2",
            "version(\"k\") != 3",
            "version(\"k\") > 4",
            "version(\"k\") < 5",
            "create_version(\"k\")=6",
            "create_version(\"k\")!=7",
            "create_version(\"k\")>8",
            "create_version(\"k\")<9",
            "value(\"k\") = \"a\"",
            "value(\"k\") != \"b\"",
            "value(\"k\") > \"c\"",
            "value(\"k\") < \"d\"",
            "version(\"k\") = 0");
    assertEquals(
        List.of(
            compare("k", Target.VERSION, Relation.EQUAL, 1),
            compare("k", Target.VERSION, Relation.EQUAL, 2),
            compare("k", Target.VERSION, Relation.NOT_EQUAL, 3),
            compare("k", Target.VERSION, Relation.GREATER, 4),
            compare("k", Target.VERSION, Relation.LESS, 5),
            compare("k", Target.CREATE_VERSION, Relation.EQUAL, 6),
            compare("k", Target.CREATE_VERSION, Relation.NOT_EQUAL, 7),
            compare("k", Target.CREATE_VERSION, Relation.GREATER, 8),
            compare("k", Target.CREATE_VERSION, Relation.LESS, 9),
            valueCompare("k", Relation.EQUAL, "a"),
            valueCompare("k", Relation.NOT_EQUAL, "b"),
            valueCompare("k", Relation.GREATER, "c"),
            valueCompare("k", Relation.LESS, "d"),
            compare("k", Target.VERSION, Relation.EQUAL, 0)),
        t.compares());
    assertEquals(List.of(), t.success());
    assertEquals(List.of(), t.failure());
  }

  @Test
  void whitespaceCommentsKeywordCaseAndCrlf() {
    TxnParser.Txn t =
        parse(
            "  VERSION ( \"k\" )   =   3   # trailing comment",
            "\t! Exists(\"j\")",
            "   # a comment line is not a blank line",
            "\r",
            "PUT \"k\" \"a # b\"   # comment",
            "Delete \"k\"\r",
            "del \"j\"",
            "",
            "GET \"k\"");
    assertEquals(
        List.of(compare("k", Target.VERSION, Relation.EQUAL, 3), Txns.absent(b("j"))),
        t.compares());
    assertEquals(
        List.of(Txns.put(b("k"), b("a # b")), Txns.delete(b("k")), Txns.delete(b("j"))),
        t.success());
    assertEquals(List.of(Txns.get(b("k"))), t.failure());
  }

  @Test
  void escapesUtf8AndHexStrings() {
    TxnParser.Txn t =
        parse(
            "",
            "put \"q\\\"uo\\\\te\" \"h\u00e9\"",
            "put x\"00ff\" X\"ABcd\"",
            "put \"e\" \"\"",
            "put \"f\" x\"\"");
    assertEquals(List.of(), t.compares());
    assertArrayEquals(b("q\"uo\\te"), t.success().get(0).getPut().getKey().toByteArray());
    assertArrayEquals(b("h\u00e9"), t.success().get(0).getPut().getValue().toByteArray());
    assertArrayEquals(
        new byte[] {0, (byte) 0xff}, t.success().get(1).getPut().getKey().toByteArray());
    assertArrayEquals(
        new byte[] {(byte) 0xab, (byte) 0xcd},
        t.success().get(1).getPut().getValue().toByteArray());
    assertEquals(0, t.success().get(2).getPut().getValue().size());
    assertEquals(0, t.success().get(3).getPut().getValue().size());
  }

  @Test
  void sections_leadingBlankLineMeansNoComparesAndTrailingBlankLinesAreIgnored() {
    TxnParser.Txn onlyFailure = parse("", "", "get \"k\"", "", "", "", "");
    assertEquals(List.of(), onlyFailure.compares());
    assertEquals(List.of(), onlyFailure.success());
    assertEquals(List.of(Txns.get(b("k"))), onlyFailure.failure());

    TxnParser.Txn onlyCompares = parse("exists(\"k\")");
    assertEquals(List.of(Txns.exists(b("k"))), onlyCompares.compares());
    assertEquals(List.<TxnOp>of(), onlyCompares.success());
  }

  @Test
  void errors_inTheComparesSection() {
    error(
        "line 2: 'put' in the compares section; end the compares with a blank line (start with "
            + "a blank line when there are none)",
        "exists(\"a\")",
        "put \"k\" \"v\"");
    errorStarting("line 1: expected a compare: value(K) OP", "= 3");
    errorStarting("line 1: unknown compare 'valeu'; compares are value(K)", "valeu(\"k\") = \"x\"");
    error("line 1: '!' only negates exists(K); for the others use !=", "!version(\"k\") = 1");
    error("line 1: expected '(' after version; found '\"k\"'", "version \"k\" = 1");
    error("line 1: expected ')' after the key; found '='", "version(\"k\" = 1");
    error(
        "line 1: expected an operator (=, !=, > or <) after version(...); found '3'",
        "version(\"k\") 3");
    error(
        "line 1: expected an operator (=, !=, > or <) after version(...); found end of line",
        "version(\"k\")");
    error("line 1: '>=' is not an operator; use =, !=, > or <", "version(\"k\") >= 3");
    error("line 1: '<=' is not an operator; use =, !=, > or <", "version(\"k\") <= 3");
    error(
        "line 1: expected a version number after the operator (version compares numbers, 0 for "
            + "an absent key); found '\"3\"'",
        "version(\"k\") = \"3\"");
    error(
        "line 1: expected a version number after the operator (create_version compares numbers, "
            + "0 for an absent key); found '-1'",
        "create_version(\"k\") > -1");
    error(
        "line 1: version 1234567890123456789 is too large", "version(\"k\") = 1234567890123456789");
    error(
        "line 1: expected a quoted string after the operator (value compares bytes); found '100'"
            + " (strings are quoted: \"text\", or x\"00ff\" for bytes)",
        "value(\"k\") > 100");
    error("line 1: unexpected '=' after a complete line", "exists(\"k\") = 1");
    error("line 1: unexpected 'extra' after a complete line", "version(\"k\") = 1 extra");
  }

  @Test
  void errors_inTheOperationSections() {
    error(
        "line 3: a compare in the success section; compares come first, ended by a blank line",
        "exists(\"a\")",
        "",
        "version(\"a\") = 1");
    error(
        "line 3: a compare in the failure section; compares come first, ended by a blank line",
        "",
        "",
        "!exists(\"a\")");
    error("line 2: expected put, del or get; found 'set'", "", "set \"k\" \"v\"");
    error(
        "line 2: expected a quoted value after the key; found end of line",
        "",
        "put \"k\"   # no value");
    error(
        "line 2: expected a quoted key after get; found 'k' (strings are quoted: \"text\", or "
            + "x\"00ff\" for bytes)",
        "",
        "get k");
    error("line 2: unexpected '\"extra\"' after a complete line", "", "del \"k\" \"extra\"");
  }

  @Test
  void errors_inStrings() {
    error("line 2: unterminated string starting at column 5", "", "get \"k");
    error("line 2: unterminated string starting at column 5", "", "get \"k\\");
    error(
        "line 2: unknown escape \\n at column 8; strings know \\\" and \\\\ (use x\"...\" for "
            + "other bytes)",
        "",
        "get \"ab\\n\"");
    error("line 2: unterminated hex string starting at column 5", "", "get x\"00");
    error("line 2: hex string x\"0\" has an odd number of digits", "", "get x\"0\"");
    error(
        "line 2: hex string x\"zz\" holds a character that is not a hex digit", "", "get x\"zz\"");
  }

  @Test
  void errors_limitsAndStructure() {
    error("line 2: key is empty; keys must be 1..16 bytes", "", "get \"\"");
    error("line 1: key is 17 bytes; the limit is 16", "exists(\"" + "k".repeat(17) + "\")");
    error("line 2: value is 9 bytes; the limit is 8", "", "put \"k\" \"123456789\"");
    error(
        "line 7: text after the failure section; a transaction has three sections (compares, "
            + "success, failure), each ended by one blank line",
        "exists(\"a\")",
        "",
        "get \"a\"",
        "",
        "get \"a\"",
        "",
        "get \"a\"");
    error(
        "line 6: text after the failure section; a transaction has three sections (compares, "
            + "success, failure), each ended by one blank line (two blank lines in a row end two "
            + "sections)",
        "exists(\"a\")",
        "",
        "",
        "get \"a\"",
        "",
        "get \"a\"");
    error("empty transaction: give compares and/or operations (see 'kv txn --help')", "");
    error(
        "empty transaction: give compares and/or operations (see 'kv txn --help')",
        "# only",
        "# comments",
        "");
  }
}
