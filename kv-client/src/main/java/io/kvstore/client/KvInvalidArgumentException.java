package io.kvstore.client;

/** The request was refused as invalid (for example an empty or oversized key); nothing changed. */
public class KvInvalidArgumentException extends KvException {
  public KvInvalidArgumentException(String message) {
    super(message);
  }
}
