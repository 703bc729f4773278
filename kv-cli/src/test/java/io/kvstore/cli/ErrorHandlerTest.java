package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.kvstore.client.KvException;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.client.KvUnavailableException;
import io.kvstore.raft.server.ConfigException;
import io.kvstore.raft.server.NodeStartException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ErrorHandlerTest {

  @Test
  void getExitCode_mapsEachFailureToTheDocumentedCode() {
    ErrorHandler h = new ErrorHandler(false);
    assertEquals(1, h.getExitCode(new KeyNotFoundException("k")));
    assertEquals(2, h.getExitCode(new InputException("x")));
    assertEquals(2, h.getExitCode(new KvInvalidArgumentException("x")));
    assertEquals(2, h.getExitCode(new ConfigException("x")));
    assertEquals(2, h.getExitCode(new IllegalArgumentException("x")));
    assertEquals(3, h.getExitCode(new KvUnavailableException("x", null)));
    assertEquals(3, h.getExitCode(new KvTimeoutException("x", null)));
    assertEquals(4, h.getExitCode(new KvException("x")));
    assertEquals(4, h.getExitCode(new NodeStartException("x")));
    assertEquals(4, h.getExitCode(new IllegalStateException("x")));
  }

  @Test
  void unexpectedException_isOneLineWithoutStackTraceByDefault() {
    StringWriter err = handle(new ErrorHandler(false), new IllegalStateException("boom\nsecond"));
    assertEquals(
        "kv: unexpected error: IllegalStateException: boom second "
            + "(set KV_DEBUG=1 for a stack trace)\n",
        err.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void unexpectedException_addsTheStackTraceInDebugMode() {
    String err = handle(new ErrorHandler(true), new IllegalStateException("boom")).toString();
    assertTrue(err.startsWith("kv: unexpected error: IllegalStateException: boom"), err);
    assertTrue(err.contains("\tat io.kvstore.cli.ErrorHandlerTest"), err);
  }

  @Test
  void describe_appendsTheTransportCauseHiddenBehindGrpcStatus() {
    Exception transport =
        new ConnectException(
            "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:1");
    KvException e =
        new KvUnavailableException(
            "cluster unavailable",
            Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(transport)
                .asRuntimeException());
    assertEquals(
        "cluster unavailable (Connection refused: /127.0.0.1:1)", ErrorHandler.describe(e));
  }

  private static StringWriter handle(ErrorHandler h, Exception e) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Kv()).setErr(new PrintWriter(err, true));
    assertEquals(4, h.handleExecutionException(e, cmd, null));
    return err;
  }
}
