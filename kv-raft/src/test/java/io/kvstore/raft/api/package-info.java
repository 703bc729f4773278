/** Unit tests of the client API layer. */
package io.kvstore.raft.api;
