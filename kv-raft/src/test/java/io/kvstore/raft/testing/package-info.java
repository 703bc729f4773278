/** Test fixtures: in-JVM and multi-process clusters on loopback addresses, and polling helpers. */
package io.kvstore.raft.testing;
