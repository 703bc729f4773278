package io.kvstore.core.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class KeyHasherTest {
  private static final XXHash64 REFERENCE = XXHashFactory.safeInstance().hash64();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // Published XXH64 (seed 0) vectors; they also pin the function, since it is a wire contract.
  @ParameterizedTest(name = "xxh64(\"{1}\") = {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "EF46DB3751D8E999|''",
        "D24EC4F1A98C6E5B|a",
        "44BC2CF5AD770999|abc",
        "066ED728FCEEB3BE|message digest",
        "CFE1F278FA89835C|abcdefghijklmnopqrstuvwxyz",
        "AAA46907D3047814|ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "E04A477F19EE145D|12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "0B242D361FDA71BC|The quick brown fox jumps over the lazy dog",
      })
  void xxh64_matchesPublishedTestVectors(String expectedHex, String input) {
    assertEquals(Long.parseUnsignedLong(expectedHex, 16), KeyHasher.xxh64(b(input)));
  }

  static LongStream seeds() {
    return LongStream.range(0, 8);
  }

  // Lengths up to 300 cover every tail path (8-, 4- and 1-byte) after zero to nine 32-byte stripes;
  // random offsets catch reads that ignore off.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void xxh64_agreesWithLz4JavaOnRandomSlices(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 400; i++) {
      byte[] data = new byte[random.nextInt(300)];
      random.nextBytes(data);
      int off = random.nextInt(data.length + 1);
      int len = random.nextInt(data.length - off + 1);
      assertEquals(
          REFERENCE.hash(data, off, len, 0), KeyHasher.xxh64(data, off, len), () -> "len " + len);
      long hashSeed = random.nextLong();
      assertEquals(
          REFERENCE.hash(data, off, len, hashSeed), KeyHasher.xxh64(data, off, len, hashSeed));
    }
  }

  @Test
  void hashKey_withoutATagHashesTheWholeKey() {
    assertEquals(KeyHasher.xxh64(b("user:1000")), KeyHasher.hashKey(b("user:1000")));
  }

  @Test
  void hashTag_onlyTheBytesInsideTheTagAreHashed() {
    long tag = KeyHasher.xxh64(b("user1000"));
    assertEquals(tag, KeyHasher.hashKey(b("{user1000}.following")));
    assertEquals(tag, KeyHasher.hashKey(b("feed:{user1000}")));
    assertEquals(tag, KeyHasher.hashKey(b("{user1000}")));
  }

  @Test
  void hashTag_emptyTagHashesTheWholeKey() {
    assertEquals(KeyHasher.xxh64(b("{}user")), KeyHasher.hashKey(b("{}user")));
    // Only the first '{' counts, so a later, non-empty tag is not used either (Redis's rule).
    assertEquals(KeyHasher.xxh64(b("{}{a}")), KeyHasher.hashKey(b("{}{a}")));
  }

  @Test
  void hashTag_unclosedTagHashesTheWholeKey() {
    assertEquals(KeyHasher.xxh64(b("a{bc")), KeyHasher.hashKey(b("a{bc")));
    assertEquals(KeyHasher.xxh64(b("a}b{c")), KeyHasher.hashKey(b("a}b{c")));
  }

  @Test
  void hashTag_runsFromTheFirstOpenToTheFirstCloseAfterIt() {
    assertEquals(KeyHasher.xxh64(b("b{c")), KeyHasher.hashKey(b("a{b{c}d}")));
    assertEquals(KeyHasher.xxh64(b("x")), KeyHasher.hashKey(b("}{x}{y}")));
  }

  @Test
  void hashTag_appliesToBytesNotCharacters() {
    byte[] key = {(byte) 0xFF, '{', 0, (byte) 0x80, '}', 7};
    assertEquals(KeyHasher.xxh64(new byte[] {0, (byte) 0x80}), KeyHasher.hashKey(key));
  }

  // Property: any keys built as prefix{tag}suffix, with no '{' in the prefix and no '}' in the tag,
  // hash (and so partition) like the tag alone.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void hashTag_keysSharingATagShareAPartition(long seed) {
    Random random = new Random(seed);
    PartitionScheme scheme = PartitionScheme.of(1 + random.nextInt(PartitionScheme.MAX_PARTITIONS));
    for (int i = 0; i < 100; i++) {
      byte[] tag = randomBytes(random, 1 + random.nextInt(12), NO_CLOSE);
      byte[] one =
          tagged(
              randomBytes(random, random.nextInt(8), NO_OPEN),
              tag,
              randomBytes(random, random.nextInt(8), ANY));
      byte[] two =
          tagged(
              randomBytes(random, random.nextInt(8), NO_OPEN),
              tag,
              randomBytes(random, random.nextInt(8), ANY));
      assertEquals(KeyHasher.xxh64(tag), KeyHasher.hashKey(one));
      assertEquals(scheme.partitionOf(one), scheme.partitionOf(two));
    }
  }

  @Test
  void hashKey_differsForDifferentTags() {
    assertNotEquals(KeyHasher.hashKey(b("{a}x")), KeyHasher.hashKey(b("{b}x")));
  }

  // Small alphabets rich in braces, so the generated keys hit the tag rule's edge cases often.
  private static final byte[] ANY = {'a', 'b', '{', '}', ':', 0, (byte) 0xC3, (byte) 0xA9};
  private static final byte[] NO_OPEN = {'a', 'b', '}', ':', 0, (byte) 0xC3};
  private static final byte[] NO_CLOSE = {'a', 'b', '{', ':', 0, (byte) 0xA9};

  private static byte[] randomBytes(Random random, int length, byte[] alphabet) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return out;
  }

  private static byte[] tagged(byte[] prefix, byte[] tag, byte[] suffix) {
    byte[] key = new byte[prefix.length + tag.length + suffix.length + 2];
    System.arraycopy(prefix, 0, key, 0, prefix.length);
    key[prefix.length] = '{';
    System.arraycopy(tag, 0, key, prefix.length + 1, tag.length);
    key[prefix.length + 1 + tag.length] = '}';
    System.arraycopy(suffix, 0, key, prefix.length + tag.length + 2, suffix.length);
    return key;
  }
}
