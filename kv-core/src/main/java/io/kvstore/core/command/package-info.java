/**
 * Commands the replicated log carries, their results, and the deterministic executor that applies
 * them to a partition's storage. Nothing here reads a clock, a random source or local config.
 */
package io.kvstore.core.command;
