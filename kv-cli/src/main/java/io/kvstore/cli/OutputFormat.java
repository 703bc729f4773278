package io.kvstore.cli;

/**
 * How results are printed ({@code -o}). {@code table} is for people, {@code json} one document for
 * scripts, {@code plain} the same data without headers or padding (tab-separated).
 */
enum OutputFormat {
  table,
  json,
  plain
}
