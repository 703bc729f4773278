package io.kvstore.raft.api;

import com.google.protobuf.ByteString;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.TxnDeleteResult;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnOpResult;
import io.kvstore.client.proto.TxnPutResult;
import io.kvstore.client.proto.TxnRequest;
import io.kvstore.client.proto.TxnResponse;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.util.ArrayList;
import java.util.List;

/** Translates transactions between the gRPC messages and the log's commands and results. */
final class TxnMessages {
  private TxnMessages() {}

  static Command.Txn toCommand(TxnRequest req) {
    List<Command.Compare> compares = new ArrayList<>();
    for (Compare c : req.getComparesList()) {
      if (c.getTargetValue() >= Command.Target.values().length
          || c.getRelationValue() >= Command.Relation.values().length) {
        throw new IllegalArgumentException("unknown compare target or relation");
      }
      compares.add(
          new Command.Compare(
              c.getKey().toByteArray(),
              Command.Target.values()[c.getTargetValue()],
              Command.Relation.values()[c.getRelationValue()],
              c.getValue().toByteArray(),
              c.getNumber()));
    }
    return new Command.Txn(compares, ops(req.getSuccessList()), ops(req.getFailureList()));
  }

  private static List<Command.Op> ops(List<TxnOp> ops) {
    List<Command.Op> out = new ArrayList<>();
    for (TxnOp op : ops) {
      switch (op.getOpCase()) {
        case PUT ->
            out.add(
                new Command.OpPut(
                    op.getPut().getKey().toByteArray(), op.getPut().getValue().toByteArray()));
        case DELETE -> out.add(new Command.OpDelete(op.getDelete().getKey().toByteArray()));
        case GET -> out.add(new Command.OpGet(op.getGet().getKey().toByteArray()));
        default -> throw new IllegalArgumentException("transaction operation without a kind");
      }
    }
    return out;
  }

  /** Every key a transaction names (compares and both branches). */
  static List<byte[]> keys(Command.Txn txn) {
    List<byte[]> keys = new ArrayList<>();
    txn.compares().forEach(c -> keys.add(c.key()));
    txn.success().forEach(o -> keys.add(o.key()));
    txn.failure().forEach(o -> keys.add(o.key()));
    return keys;
  }

  static TxnResponse.Builder toResponse(Result.TxnDone done) {
    TxnResponse.Builder b =
        TxnResponse.newBuilder().setSucceeded(done.succeeded()).setVersion(done.version());
    for (Result.OpResult r : done.results()) {
      if (r instanceof Result.PutDone) {
        b.addResults(TxnOpResult.newBuilder().setPut(TxnPutResult.getDefaultInstance()));
      } else if (r instanceof Result.DeleteDone d) {
        b.addResults(
            TxnOpResult.newBuilder()
                .setDelete(TxnDeleteResult.newBuilder().setExisted(d.existed())));
      } else {
        b.addResults(TxnOpResult.newBuilder().setGet(getResponse(((Result.GetDone) r).value())));
      }
    }
    return b;
  }

  static GetResponse getResponse(VersionedValue v) {
    if (v == null) {
      return GetResponse.newBuilder().setFound(false).build();
    }
    return GetResponse.newBuilder()
        .setFound(true)
        .setValue(ByteString.copyFrom(v.value()))
        .setVersion(v.version())
        .setCreateVersion(v.createVersion())
        .build();
  }
}
