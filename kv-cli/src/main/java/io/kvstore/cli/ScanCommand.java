package io.kvstore.cli;

import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.Scan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv scan}: keys with a prefix, or in [from, to), in key order (unsigned bytes), one page of
 * at most {@code --limit}. When more keys follow, the table and plain outputs say on stderr how to
 * continue ({@code --after} the last key shown); {@code -o json} carries {@code nextAfter}. Every
 * partition is read in parallel and the answers merged, so a page is a consistent view of each
 * partition but not one snapshot of all of them.
 */
@Command(
    name = "scan",
    description = {
      "List keys with a prefix (--prefix) or in a range (--from/--to), in key order, with "
          + "values and versions. When more keys follow, stderr says how to continue: "
          + "more: continue with --after KEY.",
      "--hex/--base64 apply to --prefix, --from, --to and --after, and to the keys and values "
          + "printed."
    })
final class ScanCommand implements Callable<Integer> {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  /** Widest value shown in a table cell; -o plain and json show every byte. */
  private static final int CELL_CHARS = 60;

  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Mixin ConsistencyOption consistency;

  @Option(
      names = "--prefix",
      paramLabel = "P",
      description = "Keys starting with P ('' for every key).")
  String prefix;

  @Option(
      names = "--from",
      paramLabel = "A",
      description = "Keys from A (inclusive; default: the first key).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "B",
      description = "Keys before B (exclusive; default: to the last key).")
  String to;

  @Option(
      names = "--after",
      paramLabel = "KEY",
      description = "Continue after KEY: the last key of the previous page.")
  String after;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_LIMIT,
      description = "At most N keys, 1.." + MAX_LIMIT + " (default: " + DEFAULT_LIMIT + ").")
  int limit;

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    BinaryEncoding encoding = binary.encoding();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InputException("--limit must be 1.." + MAX_LIMIT + ", not " + limit);
    }
    if (prefix != null && (from != null || to != null)) {
      throw new InputException("give --prefix or --from/--to, not both");
    }
    if (prefix == null && from == null && to == null) {
      throw new InputException(
          "give --prefix P (--prefix '' for every key) or --from A and/or --to B");
    }
    byte[] afterKey = after == null ? null : encoding.decode(after, "--after");

    Scan.Page page;
    try (KvClient client = kv.openClient()) {
      if (prefix != null) {
        byte[] p = encoding.decode(prefix, "--prefix");
        if (afterKey != null && !startsWith(afterKey, p)) {
          throw new InputException("--after must be a key with the prefix given by --prefix");
        }
        page = client.scanPrefix(p, afterKey, limit, consistency.readOptions());
      } else {
        byte[] start = bound(from, "--from", encoding);
        byte[] end = bound(to, "--to", encoding);
        if (start != null && end != null && Arrays.compareUnsigned(start, end) >= 0) {
          throw new InputException("--from must sort before --to (--to is exclusive)");
        }
        if (afterKey != null) {
          // The smallest key after afterKey, unless --from is later still.
          byte[] next = Arrays.copyOf(afterKey, afterKey.length + 1);
          if (start == null || Arrays.compareUnsigned(next, start) > 0) {
            start = next;
          }
        }
        page =
            end != null && start != null && Arrays.compareUnsigned(start, end) >= 0
                ? new Scan.Page(List.of(), null)
                : client.scan(start, end, limit, consistency.readOptions());
      }
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(json(page, encoding)));
      out.flush();
      return ExitCodes.OK;
    }
    TextTable t = new TextTable(List.of("KEY", "VALUE", "VERSION"));
    boolean table = kv.output() == OutputFormat.table;
    for (KeyValue e : page.entries()) {
      t.add(
          List.of(
              text(e.key(), encoding, table),
              text(e.value(), encoding, table),
              Long.toString(e.version())));
    }
    if (!page.entries().isEmpty()) {
      t.print(out, kv.output());
    }
    out.flush();
    if (page.nextAfter() != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(continuation(page.nextAfter(), encoding));
      err.flush();
    }
    return ExitCodes.OK;
  }

  /** The stderr line that says how to get the next page. */
  static String continuation(byte[] last, BinaryEncoding encoding) {
    if (encoding == BinaryEncoding.TEXT && !ByteText.isPrintable(last)) {
      return "more: the last key is binary; continue with --hex (and the other keys in hex) "
          + "--after "
          + BinaryEncoding.HEX.encode(last);
    }
    return "more: continue with --after " + ByteText.shellWord(encoding.encode(last));
  }

  private static Map<String, Object> json(Scan.Page page, BinaryEncoding encoding) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (KeyValue e : page.entries()) {
      Map<String, Object> j = new LinkedHashMap<>();
      encoding.putJson(j, "key", e.key());
      encoding.putJson(j, "value", e.value());
      j.put("version", e.version());
      j.put("createVersion", e.createVersion());
      entries.add(j);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("entries", entries);
    if (page.nextAfter() == null) {
      json.put("nextAfter", null);
    } else {
      encoding.putJson(json, "nextAfter", page.nextAfter());
    }
    return json;
  }

  /** A table or plain cell: with --hex/--base64 in that encoding, else {@link ByteText}. */
  private static String text(byte[] bytes, BinaryEncoding encoding, boolean truncate) {
    if (encoding != BinaryEncoding.TEXT) {
      return encoding.encode(bytes);
    }
    return truncate ? ByteText.cell(bytes, CELL_CHARS) : ByteText.cell(bytes);
  }

  /** A --from/--to argument as bytes; empty means open. */
  private static byte[] bound(String arg, String option, BinaryEncoding encoding) {
    if (arg == null) {
      return null;
    }
    byte[] b = encoding.decode(arg, option);
    return b.length == 0 ? null : b;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
