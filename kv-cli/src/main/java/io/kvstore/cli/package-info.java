/**
 * The {@code kv} command line: the Picocli root command {@link io.kvstore.cli.Kv}, one class per
 * subcommand (start, put, get, del, cluster status), and the small pieces they share: option
 * parsing, input limits, exit codes, error reporting and table/JSON output.
 */
package io.kvstore.cli;
