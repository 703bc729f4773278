package io.kvstore.core.command;

/** What a log entry holds: a command and the id of the client request that asked for it. */
public record Proposal(RequestId requestId, Command command) {}
