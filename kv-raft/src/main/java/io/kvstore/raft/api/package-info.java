/**
 * The node's client API: the gRPC service of {@code kv.proto}, which validates requests and submits
 * them in-process to the local Ratis division of the key's partition, and the translation of Ratis
 * outcomes into gRPC statuses.
 */
package io.kvstore.raft.api;
