package io.kvstore.cli;

/** get or del found no such key; exits with {@link ExitCodes#NOT_FOUND}. */
final class KeyNotFoundException extends RuntimeException {
  KeyNotFoundException(String keyAsTyped) {
    super("key not found: " + keyAsTyped);
  }
}
