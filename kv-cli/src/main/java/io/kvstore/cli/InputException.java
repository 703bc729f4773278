package io.kvstore.cli;

/**
 * The user's input cannot be used (empty or oversized key, oversized value, undecodable hex).
 * Raised before anything is sent; exits with {@link ExitCodes#USAGE}.
 */
final class InputException extends RuntimeException {
  InputException(String message) {
    super(message);
  }
}
