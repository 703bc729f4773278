package io.kvstore.cli;

import io.kvstore.client.DeleteResult;
import io.kvstore.client.KvClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kv del KEY}: deletes a key; a key that did not exist is exit 1, like get. */
@Command(
    name = "del",
    aliases = "delete",
    description = "Delete KEY and print 'deleted' (exit 1 if there was no such key).")
final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (1..1024 bytes).")
  String key;

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    kv.limits().checkKey(keyBytes);

    DeleteResult result;
    try (KvClient client = kv.openClient()) {
      result = client.delete(keyBytes);
    }
    if (!result.deleted()) {
      throw new KeyNotFoundException(key);
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      encoding.putJson(json, "key", keyBytes);
      json.put("deleted", true);
      json.put("version", result.version());
      out.println(Json.render(json));
    } else {
      out.println("deleted");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
