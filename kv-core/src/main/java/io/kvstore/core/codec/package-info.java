/**
 * Versioned binary formats for what goes into the Raft log, what comes back from the state machine,
 * and what is stored per key. Every message starts with an opcode byte; an unknown opcode is a
 * {@link CodecException}. No Java serialization.
 */
package io.kvstore.core.codec;
