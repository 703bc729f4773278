package io.kvstore.cli;

/**
 * How results are printed ({@code -o}). {@code table} is for people, {@code json} one document for
 * scripts, {@code plain} the same data without headers or padding (tab-separated). {@code value} is
 * for {@code get} only: just the value's bytes (what {@code get} prints by default); {@link Kv}
 * refuses it for other commands.
 */
enum OutputFormat {
  table,
  json,
  plain,
  value
}
