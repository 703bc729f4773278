package io.kvstore.cli;

import com.google.protobuf.ByteString;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnOpResult;
import io.kvstore.client.proto.TxnResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv txn}: an etcd-style transaction read from stdin or {@code --file} (syntax: {@link
 * TxnParser}). Prints SUCCEEDED or FAILED on the first line, then one row per operation of the
 * branch that ran. Either branch is a successful run (exit 0): scripts look at the first line, or
 * at {@code "succeeded"} in {@code -o json}.
 */
@Command(
    name = "txn",
    description = {
      "Run a transaction read from stdin or --file: if every compare holds, run the success "
          + "operations, else the failure operations, atomically. Print SUCCEEDED or FAILED, "
          + "then each operation's result. Exit 0 either way.",
      "",
      "Three sections, each ended by a blank line: compares, success ops, failure ops.",
      "  compares:  value(K) OP \"s\"   version(K) OP N   create_version(K) OP N",
      "             (OP: = != > <)   exists(K)   !exists(K)",
      "  ops:       put K V   del K   get K",
      "Strings: \"text\" (escapes \\\" and \\\\) or x\"00ff\". '#' starts a comment.",
      "All keys must be in one partition: give them a common hash tag, e.g. {acct}/a, {acct}/b.",
      "",
      "Example:",
      "  kv txn <<'EOF'",
      "  version(\"{acct}/a\") = 12",
      "",
      "  put \"{acct}/a\" \"60\"",
      "  put \"{acct}/b\" \"40\"",
      "",
      "  get \"{acct}/a\"",
      "  EOF",
      ""
    })
final class TxnCommand implements Callable<Integer> {
  /** Input beyond this is refused rather than read into memory. */
  static final int MAX_INPUT_BYTES = 64 << 20;

  /** Widest value shown in a table cell; -o plain and json show every byte. */
  private static final int CELL_CHARS = 60;

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "PATH",
      description = "Read the transaction from this file instead of stdin.")
  Path file;

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    TxnParser.Txn txn = new TxnParser(kv.limits()).parse(readInput(kv.streams()));

    TxnResponse response;
    try (KvClient client = kv.openClient()) {
      response = client.txn(txn.compares(), txn.success(), txn.failure());
    }
    List<TxnOp> ran = response.getSucceeded() ? txn.success() : txn.failure();

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(json(response, ran)));
    } else {
      out.println(response.getSucceeded() ? "SUCCEEDED" : "FAILED");
      if (!ran.isEmpty()) {
        table(response, ran).print(out, kv.output());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private String readInput(Streams streams) throws IOException {
    if (file != null) {
      try {
        if (Files.size(file) > MAX_INPUT_BYTES) {
          throw new InputException(file + " is larger than " + MAX_INPUT_BYTES + " bytes");
        }
        return utf8(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        throw new InputException("file not found: " + file);
      } catch (IOException e) {
        throw new InputException("cannot read " + file + ": " + e.getMessage());
      }
    }
    if (streams.inIsTerminal()) {
      return readInteractively(streams.in());
    }
    byte[] bytes = streams.in().readNBytes(MAX_INPUT_BYTES + 1);
    if (bytes.length > MAX_INPUT_BYTES) {
      throw new InputException("input on stdin is larger than " + MAX_INPUT_BYTES + " bytes");
    }
    return utf8(bytes);
  }

  /**
   * From a terminal, like etcdctl: the transaction ends with the blank line that closes the failure
   * section (or at end of input, Ctrl-D).
   */
  private String readInteractively(InputStream in) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "compares, blank line, success ops, blank line, failure ops, blank line "
            + "(see 'kv txn --help'):");
    err.flush();
    BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                in,
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)));
    StringBuilder text = new StringBuilder();
    int blanks = 0;
    String line;
    try {
      while (blanks < 3 && (line = reader.readLine()) != null) {
        text.append(line).append('\n');
        if (line.isBlank()) {
          blanks++;
        }
      }
    } catch (CharacterCodingException e) {
      throw notUtf8();
    }
    return text.toString();
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw notUtf8();
    }
  }

  private static InputException notUtf8() {
    return new InputException(
        "the transaction is not valid UTF-8 text; write binary keys and values as x\"00ff\"");
  }

  private static TextTable table(TxnResponse response, List<TxnOp> ran) {
    TextTable t = new TextTable(List.of("OP", "KEY", "RESULT", "VALUE", "VERSION"));
    for (int n = 0; n < ran.size(); n++) {
      TxnOp op = ran.get(n);
      TxnOpResult r = n < response.getResultsCount() ? response.getResults(n) : null;
      String key = ByteText.cell(key(op).toByteArray(), CELL_CHARS);
      switch (op.getOpCase()) {
        case PUT -> t.add(List.of(name(op), key, "OK", "-", Long.toString(response.getVersion())));
        case DELETE -> {
          boolean existed = r != null && r.getDelete().getExisted();
          t.add(
              List.of(
                  "del",
                  key,
                  existed ? "deleted" : "not found",
                  "-",
                  existed ? Long.toString(response.getVersion()) : "-"));
        }
        default -> {
          GetResponse g = r == null ? GetResponse.getDefaultInstance() : r.getGet();
          t.add(
              g.getFound()
                  ? List.of(
                      "get",
                      key,
                      "found",
                      ByteText.cell(g.getValue().toByteArray(), CELL_CHARS),
                      Long.toString(g.getVersion()))
                  : List.of("get", key, "not found", "-", "-"));
        }
      }
    }
    return t;
  }

  private static Map<String, Object> json(TxnResponse response, List<TxnOp> ran) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (int n = 0; n < ran.size(); n++) {
      TxnOp op = ran.get(n);
      TxnOpResult r = n < response.getResultsCount() ? response.getResults(n) : null;
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("op", name(op));
      BinaryEncoding.TEXT.putJson(j, "key", key(op).toByteArray());
      switch (op.getOpCase()) {
        case PUT -> j.put("version", response.getVersion());
        case DELETE -> j.put("deleted", r != null && r.getDelete().getExisted());
        default -> {
          GetResponse g = r == null ? GetResponse.getDefaultInstance() : r.getGet();
          j.put("found", g.getFound());
          if (g.getFound()) {
            BinaryEncoding.TEXT.putJson(j, "value", g.getValue().toByteArray());
            j.put("version", g.getVersion());
            j.put("createVersion", g.getCreateVersion());
          }
        }
      }
      results.add(j);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("succeeded", response.getSucceeded());
    json.put("version", response.getVersion());
    json.put("results", results);
    return json;
  }

  private static String name(TxnOp op) {
    return switch (op.getOpCase()) {
      case PUT -> "put";
      case DELETE -> "del";
      default -> "get";
    };
  }

  private static ByteString key(TxnOp op) {
    return switch (op.getOpCase()) {
      case PUT -> op.getPut().getKey();
      case DELETE -> op.getDelete().getKey();
      default -> op.getGet().getKey();
    };
  }
}
