package io.kvstore.cli;

import io.kvstore.client.KvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root command {@code kv}. Holds the options every subcommand inherits (endpoints, timeout,
 * output format, size limits) and builds clients from them.
 *
 * <p>Only {@link #main} exits the JVM; everything else returns exit codes, so tests drive the CLI
 * in-process through {@link #newCommandLine(Kv)}.
 */
@Command(
    name = "kv",
    // INHERIT: every subcommand gets --help/--version and the exit-code list below.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersionProvider.class,
    description = "Run a kvstore node, read and write keys, and inspect the cluster.",
    subcommands = {
      StartCommand.class,
      PutCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      TxnCommand.class,
      ScanCommand.class,
      LocateCommand.class,
      ClusterCommand.class,
      BenchCommand.class,
      io.kvstore.cli.drill.DrillCommand.class,
      SnapshotCommand.class,
      ReplicaCheckCommand.class,
      HelpCommand.class,
      AutoComplete.GenerateCompletion.class
    },
    usageHelpAutoWidth = true,
    sortOptions = false,
    synopsisSubcommandLabel = "COMMAND",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:key not found (get, del)",
      "2:usage or invalid input: bad option, empty or oversized key, oversized value, "
          + "malformed config",
      "3:unavailable or timeout: cluster unreachable, no leader; cluster status/nodes/"
          + "partitions and locate: a node unreachable, a group unhealthy or without leader; "
          + "check: replicas that could not be compared",
      "4:other error, including node start failures (port in use, unwritable data dir) and "
          + "a cluster map this kv cannot use (unknown key hash)",
      "5:condition failed: put --if-absent/--if-version or del --if-version found another "
          + "version; nothing changed",
      "6:check: replicas of a partition differ"
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  KV_ENDPOINTS        default for --endpoints",
      "  KV_MAX_VALUE_BYTES  client-side value size limit (default 1048576)",
      "  KV_DEBUG=1          print stack traces for errors",
      "  KV_JAVA_OPTS        extra JVM options (bin/kv)"
    })
public final class Kv implements Callable<Integer> {
  static final String DEFAULT_ENDPOINTS = "127.0.0.1:9870,127.0.0.2:9870,127.0.0.3:9870";

  /** Per-attempt cap: a dead node should not use up the whole --timeout before the next one. */
  private static final Duration MAX_ATTEMPT = Duration.ofSeconds(3);

  @Spec CommandSpec spec;

  @Option(
      names = {"-e", "--endpoints"},
      scope = ScopeType.INHERIT,
      paramLabel = "HOST:PORT,...",
      defaultValue = "${env:KV_ENDPOINTS:-" + DEFAULT_ENDPOINTS + "}",
      description =
          "Client endpoints of the nodes, comma-separated. Default: $KV_ENDPOINTS, "
              + "else the local cluster, 127.0.0.{1,2,3}:9870.")
  String endpoints;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Overall deadline of a request, e.g. 500ms, 5s, 2m (default: 10s).")
  Duration timeout;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      defaultValue = "table",
      description =
          "Output format: table, json or plain (default: table); get also takes value (just "
              + "the value's bytes, what it prints by default).")
  OutputFormat output;

  // Hidden: for stores configured with non-default limits (see limits.* in the node config).
  @Option(
      names = "--max-key-bytes",
      scope = ScopeType.INHERIT,
      hidden = true,
      defaultValue = "${env:KV_MAX_KEY_BYTES:-1024}")
  int maxKeyBytes;

  @Option(
      names = "--max-value-bytes",
      scope = ScopeType.INHERIT,
      hidden = true,
      defaultValue = "${env:KV_MAX_VALUE_BYTES:-1048576}")
  int maxValueBytes;

  private final Streams streams;

  public Kv() {
    this(Streams.system());
  }

  Kv(Streams streams) {
    this.streams = streams;
  }

  public static void main(String[] args) {
    // gRPC and MapDB log through java.util.logging; route it to SLF4J so conf/logback*.xml
    // decides what reaches the terminal.
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    System.exit(newCommandLine(new Kv()).execute(args));
  }

  /** The command line with kv's error handling; what main runs and what tests should drive. */
  static CommandLine newCommandLine(Kv kv) {
    ErrorHandler errors = ErrorHandler.fromEnvironment();
    CommandLine cl =
        new CommandLine(kv)
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler(errors)
            .setParameterExceptionHandler(errors)
            .setExitCodeExceptionMapper(errors)
            .setExecutionStrategy(Kv::executeChecked);
    cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
    return cl;
  }

  /**
   * Runs the chosen command like picocli's default strategy, after the checks that span the root's
   * options and the command: {@code -o value} only means something to {@code get}. A
   * ParameterException thrown here is reported like any other usage error.
   */
  private static int executeChecked(ParseResult parsed) {
    ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    Object command = leaf.commandSpec().userObject();
    Kv kv = (Kv) parsed.commandSpec().userObject();
    if (kv.output == OutputFormat.value
        && leaf != parsed
        && !(command instanceof GetCommand)
        && !(command instanceof HelpCommand)
        && !leaf.isUsageHelpRequested()
        && !leaf.isVersionHelpRequested()) {
      throw new ParameterException(
          leaf.commandSpec().commandLine(),
          "-o value applies only to get; use table, json or plain");
    }
    return new RunLast().execute(parsed);
  }

  /** {@code kv} without a command: show what exists, but as a usage error for scripts. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** The root command object, reachable from any subcommand's spec. */
  static Kv of(CommandSpec spec) {
    return (Kv) spec.root().userObject();
  }

  Streams streams() {
    return streams;
  }

  OutputFormat output() {
    return output;
  }

  Limits limits() {
    if (maxKeyBytes < 1) {
      throw new InputException("--max-key-bytes must be at least 1");
    }
    if (maxValueBytes < 0) {
      throw new InputException("--max-value-bytes must not be negative");
    }
    return new Limits(maxKeyBytes, maxValueBytes);
  }

  /** The configured endpoints with duplicates dropped; {@link #openClient} checks them. */
  public List<String> endpointList() {
    return new ArrayList<>(new LinkedHashSet<>(List.of(endpoints.trim().split("\\s*,\\s*"))));
  }

  /**
   * A client for the configured endpoints. Building it checks every host:port
   * (IllegalArgumentException, exit 2) but connects nothing: channels open on the first request.
   */
  KvClient openClient() {
    return openClient(endpointList());
  }

  /** A client for {@code endpoints} with this command line's timeouts. */
  KvClient openClient(List<String> endpoints) {
    return KvClient.builder()
        .endpoints(endpoints)
        .timeout(timeout)
        .attemptTimeout(timeout.compareTo(MAX_ATTEMPT) < 0 ? timeout : MAX_ATTEMPT)
        .build();
  }
}
