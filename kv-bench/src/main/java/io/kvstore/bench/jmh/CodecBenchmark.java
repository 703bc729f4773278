package io.kvstore.bench.jmh;

import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.Compression;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of what every write passes through: the log entry (a put of a 16-byte key and a
 * 128-byte value with its client session id), the stored value (uncompressed, and a 2 KiB JSON
 * value with LZ4) and the result.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CodecBenchmark {
  private Proposal proposal;
  private byte[] proposalBytes;
  private VersionedValue value;
  private byte[] valueBytes;
  private VersionedValue json;
  private byte[] jsonLz4Bytes;
  private Result result;
  private byte[] resultBytes;

  @Setup
  public void setup() {
    Random rnd = new Random(1);
    byte[] key = "k000000000012345".getBytes();
    byte[] v = new byte[128];
    rnd.nextBytes(v);
    proposal = new Proposal(new RequestId(7, 11, 1234, 1200), new Command.Put(key, v));
    proposalBytes = CommandCodec.encode(proposal);
    value = new VersionedValue(v, 42, 17);
    valueBytes = ValueCodec.encode(value, Compression.NONE);
    StringBuilder sb = new StringBuilder("{\"account\":\"ACC-1\",\"entries\":[");
    while (sb.length() < 2048) {
      sb.append("{\"id\":\"TX").append(Long.toHexString(rnd.nextLong()));
      sb.append("\",\"amount\":").append(rnd.nextInt(100_000) / 100.0).append("},");
    }
    json = new VersionedValue(sb.substring(0, 2048).getBytes(), 42, 17);
    jsonLz4Bytes = ValueCodec.encode(json, Compression.DEFAULT);
    result = new Result.Written(42);
    resultBytes = ResultCodec.encode(result);
  }

  @Benchmark
  public byte[] commandEncode() {
    return CommandCodec.encode(proposal);
  }

  @Benchmark
  public Proposal commandDecode() {
    return CommandCodec.decode(proposalBytes);
  }

  @Benchmark
  public byte[] valueEncode() {
    return ValueCodec.encode(value, Compression.NONE);
  }

  @Benchmark
  public VersionedValue valueDecode() {
    return ValueCodec.decode(valueBytes);
  }

  @Benchmark
  public byte[] valueEncodeJson2kLz4() {
    return ValueCodec.encode(json, Compression.DEFAULT);
  }

  @Benchmark
  public VersionedValue valueDecodeJson2kLz4() {
    return ValueCodec.decode(jsonLz4Bytes);
  }

  @Benchmark
  public byte[] resultEncode() {
    return ResultCodec.encode(result);
  }

  @Benchmark
  public Result resultDecode() {
    return ResultCodec.decode(resultBytes);
  }
}
