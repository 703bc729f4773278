package io.kvstore.core.codec;

/** Bytes that do not decode: unknown opcode, truncated or malformed message. */
public class CodecException extends RuntimeException {
  public CodecException(String message) {
    super(message);
  }
}
