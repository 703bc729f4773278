package io.kvstore.cli;

import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv get KEY}: prints the value. By default the raw bytes go to stdout unchanged, so {@code
 * kv get k > file} round-trips binary data; a newline is added only when stdout is a terminal, for
 * the prompt's sake. --hex/--base64 print it encoded; {@code -o json} prints the value with its
 * versions (see {@link BinaryEncoding#putJson} for how bytes appear in JSON). {@code -o value}
 * names the default explicitly, for scripts; table and plain print the same.
 *
 * <p>{@code --consistency} picks the read level; see {@link ConsistencyOption}.
 */
@Command(name = "get", description = "Print the value of KEY (exit 1 if there is none).")
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Mixin ConsistencyOption consistency;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (1..1024 bytes).")
  String key;

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    kv.limits().checkKey(keyBytes);

    Optional<KeyValue> found;
    try (KvClient client = kv.openClient()) {
      found = client.get(keyBytes, consistency.readOptions());
    }
    KeyValue kvp = found.orElseThrow(() -> new KeyNotFoundException(key));

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      encoding.putJson(json, "key", keyBytes);
      encoding.putJson(json, "value", kvp.value());
      json.put("version", kvp.version());
      json.put("createVersion", kvp.createVersion());
      out.println(Json.render(json));
      out.flush();
    } else if (encoding != BinaryEncoding.TEXT) {
      out.println(encoding.encode(kvp.value()));
      out.flush();
    } else {
      writeRaw(kv.streams(), kvp.value());
    }
    return ExitCodes.OK;
  }

  private static void writeRaw(Streams streams, byte[] value) throws IOException {
    OutputStream raw = streams.out();
    raw.write(value);
    if (streams.outIsTerminal() && (value.length == 0 || value[value.length - 1] != '\n')) {
      raw.write('\n');
    }
    raw.flush();
  }
}
