package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinaryEncodingTest {
  private static final byte[] BINARY = {(byte) 0xff, 0x00, (byte) 0xc3};

  @Test
  void decode_textIsUtf8() {
    assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), BinaryEncoding.TEXT.decode("é", "KEY"));
  }

  @Test
  void decode_hexAcceptsBothCasesAndEncodeWritesLowerCase() {
    assertArrayEquals(BINARY, BinaryEncoding.HEX.decode("FF00c3", "KEY"));
    assertEquals("ff00c3", BinaryEncoding.HEX.encode(BINARY));
  }

  @Test
  void decode_base64RoundTrips() {
    String b64 = BinaryEncoding.BASE64.encode(BINARY);
    assertEquals("/wDD", b64);
    assertArrayEquals(BINARY, BinaryEncoding.BASE64.decode(b64, "VALUE"));
  }

  @Test
  void decode_oddHexIsInputErrorNamingTheArgument() {
    InputException e =
        assertThrows(InputException.class, () -> BinaryEncoding.HEX.decode("abc", "VALUE"));
    assertTrue(e.getMessage().startsWith("VALUE is not valid hex"), e.getMessage());
  }

  @Test
  void isUtf8_rejectsMalformedSequences() {
    assertTrue(BinaryEncoding.isUtf8("grüße".getBytes(StandardCharsets.UTF_8)));
    assertFalse(BinaryEncoding.isUtf8(BINARY));
  }

  @Test
  void putJson_textWhenValidUtf8ElseBase64WithEncodingField() {
    Map<String, Object> json = new LinkedHashMap<>();
    BinaryEncoding.TEXT.putJson(json, "key", "k".getBytes(StandardCharsets.UTF_8));
    BinaryEncoding.TEXT.putJson(json, "value", BINARY);
    assertEquals(
        "{\"key\":\"k\",\"value\":\"/wDD\",\"valueEncoding\":\"base64\"}", Json.render(json));
  }

  @Test
  void putJson_requestedEncodingAlwaysApplies() {
    Map<String, Object> json = new LinkedHashMap<>();
    BinaryEncoding.HEX.putJson(json, "key", "k".getBytes(StandardCharsets.UTF_8));
    assertEquals("{\"key\":\"6b\",\"keyEncoding\":\"hex\"}", Json.render(json));
  }
}
