package dev.kv.server.api;

import dev.kv.statemachine.proto.CommandResult;

/** The result of one write, and the log index of the entry that carried it. */
public record AppliedWrite(CommandResult result, long index) {}
