package io.kvstore.core.storage;

/** A storage engine failed (I/O error, corrupt file). Not a business outcome. */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
