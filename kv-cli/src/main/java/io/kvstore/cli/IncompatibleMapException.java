package io.kvstore.cli;

/**
 * The cluster map cannot be used by this client: it names a key-hash function this version does not
 * implement, or its partitions contradict it. Exit 4: retrying will not help, and computing a
 * location anyway would print a wrong answer.
 */
final class IncompatibleMapException extends RuntimeException {
  IncompatibleMapException(String message) {
    super(message);
  }
}
