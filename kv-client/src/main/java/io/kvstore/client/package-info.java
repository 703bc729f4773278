/**
 * The client library: {@link io.kvstore.client.KvClient} speaks the store's gRPC API (generated in
 * {@code io.kvstore.client.proto}), finds the leader, follows leader hints and retries with bounded
 * backoff under an overall deadline. It needs neither Ratis nor MapDB.
 */
package io.kvstore.client;
