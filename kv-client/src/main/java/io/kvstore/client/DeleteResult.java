package io.kvstore.client;

/** Whether a delete removed a key, and the log index of the delete (0 if nothing changed). */
public record DeleteResult(boolean deleted, long version) {}
