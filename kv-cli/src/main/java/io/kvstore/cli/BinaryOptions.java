package io.kvstore.cli;

import picocli.CommandLine.Option;

/** The {@code --hex} / {@code --base64} options shared by put, get, del and locate. */
final class BinaryOptions {
  @Option(
      names = "--hex",
      description = "KEY (and VALUE) arguments are hex; get prints the value as hex.")
  boolean hex;

  @Option(
      names = "--base64",
      description = "KEY (and VALUE) arguments are base64; get prints the value as base64.")
  boolean base64;

  BinaryEncoding encoding() {
    if (hex && base64) {
      throw new InputException("--hex and --base64 cannot be used together");
    }
    return hex ? BinaryEncoding.HEX : base64 ? BinaryEncoding.BASE64 : BinaryEncoding.TEXT;
  }
}
