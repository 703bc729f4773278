package io.kvstore.raft.server;

/** Configuration that cannot be used; the message names the key or problem in one line. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
