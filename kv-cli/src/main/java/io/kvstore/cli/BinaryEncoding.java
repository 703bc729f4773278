package io.kvstore.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * How KEY and VALUE arguments are turned into bytes, and how {@code get} prints a value. Command
 * line arguments are text, so binary keys and values need {@code --hex} or {@code --base64}.
 */
enum BinaryEncoding {
  /** Arguments are UTF-8 text; values are printed as their raw bytes. */
  TEXT,
  /** Lower- or upper-case hex digits, two per byte; printed lower-case. */
  HEX,
  /** Standard base64 (RFC 4648, with padding). */
  BASE64;

  /** Decodes an argument; {@code what} names it in the error ("KEY", "VALUE"). */
  byte[] decode(String argument, String what) {
    try {
      return switch (this) {
        case TEXT -> argument.getBytes(StandardCharsets.UTF_8);
        case HEX -> HexFormat.of().parseHex(argument);
        case BASE64 -> Base64.getDecoder().decode(argument);
      };
    } catch (IllegalArgumentException e) {
      String name = this == HEX ? "hex" : "base64";
      throw new InputException(
          what
              + " is not valid "
              + name
              + " (--"
              + name
              + " applies to KEY and VALUE arguments): "
              + e.getMessage());
    }
  }

  /** Encodes bytes as text; for TEXT only meaningful when {@link #isUtf8} holds. */
  String encode(byte[] bytes) {
    return switch (this) {
      case TEXT -> new String(bytes, StandardCharsets.UTF_8);
      case HEX -> HexFormat.of().formatHex(bytes);
      case BASE64 -> Base64.getEncoder().encodeToString(bytes);
    };
  }

  /**
   * Adds {@code name} (and, when not plain text, {@code nameEncoding}) to a JSON object. The rule:
   * with --hex/--base64 the bytes are in that encoding; otherwise they are the UTF-8 text when the
   * bytes are valid UTF-8, else base64. {@code <name>Encoding} ("hex" or "base64") is present
   * exactly when the string is not the text itself, so a reader never has to guess.
   */
  void putJson(Map<String, Object> json, String name, byte[] bytes) {
    BinaryEncoding used = this == TEXT && !isUtf8(bytes) ? BASE64 : this;
    json.put(name, used.encode(bytes));
    if (used != TEXT) {
      json.put(name + "Encoding", used.name().toLowerCase(Locale.ROOT));
    }
  }

  /** Whether {@code bytes} are well-formed UTF-8, i.e. survive a round trip through a String. */
  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
