/**
 * Tests of the {@code kv} command line run in-process: exit codes and the one-line error messages
 * for bad input, bad config and an unreachable cluster, plus the output formats' parts.
 */
package io.kvstore.cli;
