package io.kvstore.cli;

import io.kvstore.client.DeleteResult;
import io.kvstore.client.KvClient;
import io.kvstore.client.WriteOptions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv del KEY}: deletes a key; a key that did not exist is exit 1, like get. With {@code
 * --if-version V} only if the key's version is V, else exit {@link ExitCodes#CONDITION_FAILED}.
 */
@Command(
    name = "del",
    aliases = "delete",
    description = {
      "Delete KEY and print 'deleted' (exit 1 if there was no such key).",
      "With --if-version, only if the key's version is as required; otherwise nothing changes "
          + "and the exit code is 5."
    })
final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (1..1024 bytes).")
  String key;

  @Option(
      names = "--if-version",
      paramLabel = "V",
      description =
          "Only if KEY's version is V (else exit 5 with the current version; 0 if the key does "
              + "not exist).")
  Long ifVersion;

  @Mixin AckOption ack;

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    kv.limits().checkKey(keyBytes);
    if (ifVersion != null && ifVersion < 1) {
      throw new InputException("--if-version must be at least 1 (versions start at 1)");
    }
    WriteOptions options = new WriteOptions(false, ifVersion == null ? 0 : ifVersion, false);

    DeleteResult result;
    try (KvClient client = kv.openClient()) {
      result = client.delete(keyBytes, ack.all() ? options.withAckAll() : options);
    }
    if (!result.applied()) {
      return PutCommand.conditionFailed(spec, PutCommand.currentVersion(result.currentVersion()));
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
      if (ack.all()) {
        json.put("onAllReplicas", result.onAllReplicas());
      }
      out.println(Json.render(json));
    } else {
      out.println("deleted" + (result.onAllReplicas() ? "" : AckOption.NOT_ON_ALL));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
