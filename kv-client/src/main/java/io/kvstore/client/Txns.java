package io.kvstore.client;

import com.google.protobuf.ByteString;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.TxnDelete;
import io.kvstore.client.proto.TxnGet;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnPut;
import java.util.List;

/** Short constructors for transaction compares and operations. */
public final class Txns {
  private Txns() {}

  public static Compare valueEquals(byte[] key, byte[] value) {
    return compare(key, Compare.Target.VALUE, Compare.Relation.EQUAL).setValue(bs(value)).build();
  }

  public static Compare versionEquals(byte[] key, long version) {
    return compare(key, Compare.Target.VERSION, Compare.Relation.EQUAL).setNumber(version).build();
  }

  public static Compare exists(byte[] key) {
    return compare(key, Compare.Target.EXISTS, Compare.Relation.EQUAL).setNumber(1).build();
  }

  public static Compare absent(byte[] key) {
    return compare(key, Compare.Target.EXISTS, Compare.Relation.EQUAL).setNumber(0).build();
  }

  public static Compare.Builder compare(byte[] key, Compare.Target target, Compare.Relation rel) {
    return Compare.newBuilder().setKey(bs(key)).setTarget(target).setRelation(rel);
  }

  public static TxnOp put(byte[] key, byte[] value) {
    return TxnOp.newBuilder()
        .setPut(TxnPut.newBuilder().setKey(bs(key)).setValue(bs(value)))
        .build();
  }

  public static TxnOp delete(byte[] key) {
    return TxnOp.newBuilder().setDelete(TxnDelete.newBuilder().setKey(bs(key))).build();
  }

  public static TxnOp get(byte[] key) {
    return TxnOp.newBuilder().setGet(TxnGet.newBuilder().setKey(bs(key))).build();
  }

  /** The key a transaction is routed by: its first key, or null if it names none. */
  static byte[] firstKey(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
    if (!compares.isEmpty()) {
      return compares.get(0).getKey().toByteArray();
    }
    for (List<TxnOp> ops : List.of(success, failure)) {
      if (!ops.isEmpty()) {
        return keyOf(ops.get(0)).toByteArray();
      }
    }
    return null;
  }

  static ByteString keyOf(TxnOp op) {
    return switch (op.getOpCase()) {
      case PUT -> op.getPut().getKey();
      case DELETE -> op.getDelete().getKey();
      case GET -> op.getGet().getKey();
      default -> ByteString.EMPTY;
    };
  }

  private static ByteString bs(byte[] b) {
    return ByteString.copyFrom(b);
  }
}
