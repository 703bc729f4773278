package io.kvstore.cli;

import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvException;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.client.KvUnavailableException;
import io.kvstore.raft.server.ConfigException;
import io.kvstore.raft.server.NodeStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line {@code kv: <message>} on stderr and an exit code from {@link
 * ExitCodes}. Users get no stack traces for problems they can fix (bad input, config, unreachable
 * cluster); unexpected exceptions get one line too, and a stack trace only with {@code KV_DEBUG=1},
 * so scripts can rely on stderr being a single line.
 */
final class ErrorHandler
    implements IExecutionExceptionHandler, IExitCodeExceptionMapper, IParameterExceptionHandler {
  private final boolean debug;

  ErrorHandler(boolean debug) {
    this.debug = debug;
  }

  static ErrorHandler fromEnvironment() {
    String v = System.getenv("KV_DEBUG");
    return new ErrorHandler("1".equals(v) || "true".equalsIgnoreCase(v));
  }

  @Override
  public int getExitCode(Throwable t) {
    // Subclasses before KvException: the order of these checks is the mapping.
    if (t instanceof KeyNotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (t instanceof InputException
        || t instanceof ConfigException
        || t instanceof KvInvalidArgumentException
        || t instanceof IllegalArgumentException
        || t instanceof ParameterException) {
      return ExitCodes.USAGE;
    }
    if (t instanceof KvUnavailableException || t instanceof KvTimeoutException) {
      return ExitCodes.UNAVAILABLE;
    }
    return ExitCodes.ERROR;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    err.println("kv: " + message(ex));
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    return getExitCode(ex);
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    StringBuilder line = new StringBuilder("kv: ");
    if (isUnknownCommand(ex)) {
      line.append("unknown command '")
          .append(((UnmatchedArgumentException) ex).getUnmatched().get(0))
          .append('\'');
    } else {
      line.append(oneLine(ex.getMessage()));
    }
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
    PrintWriter err = cmd.getErr();
    err.println(line);
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * {@code kv pt k v}: picocli says "Unmatched arguments from index 0: 'pt', 'k', 'v'", which hides
   * the typo. A command with subcommands and no positional parameters of its own can only have
   * failed to match a command name.
   */
  private static boolean isUnknownCommand(ParameterException ex) {
    if (!(ex instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
      return false;
    }
    CommandLine cmd = ex.getCommandLine();
    return !cmd.getSubcommands().isEmpty()
        && cmd.getCommandSpec().positionalParameters().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-");
  }

  private String message(Exception ex) {
    boolean expected =
        ex instanceof KeyNotFoundException
            || ex instanceof InputException
            || ex instanceof ConfigException
            || ex instanceof NodeStartException
            || ex instanceof IncompatibleMapException
            || ex instanceof KvException
            || ex instanceof IllegalArgumentException
            || ex instanceof IOException
            || ex instanceof UncheckedIOException;
    String text = describe(ex);
    if (expected) {
      return text;
    }
    return "unexpected error: "
        + ex.getClass().getSimpleName()
        + ": "
        + text
        + (debug ? "" : " (set KV_DEBUG=1 for a stack trace)");
  }

  /**
   * The exception's message, plus the underlying cause's when that adds something: gRPC reports a
   * refused connection as "UNAVAILABLE: io exception" and keeps "Connection refused: /host:port" in
   * the transport exception below it.
   */
  static String describe(Throwable ex) {
    String text = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    Throwable cause = ex.getCause();
    while ((cause instanceof StatusRuntimeException || cause instanceof KvException)
        && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause != null && cause.getMessage() != null && !cause.getMessage().isBlank()) {
      // Netty's native transport prefixes "finishConnect(..) failed with error(-111): ".
      String detail =
          cause.getMessage().replaceFirst("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
      if (!text.contains(detail)) {
        text = text + " (" + detail + ")";
      }
    }
    return oneLine(text);
  }

  /** Keeps the one-line promise even when a message contains line breaks. */
  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
