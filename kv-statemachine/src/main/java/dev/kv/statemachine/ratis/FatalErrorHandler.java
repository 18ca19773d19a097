package dev.kv.statemachine.ratis;

/**
 * Called when a replica cannot safely continue: a storage failure or an unreadable log entry
 * during apply. The production handler logs and halts the process (a supervisor restarts it and
 * Raft repairs it from the log or a snapshot); tests record the error instead.
 */
@FunctionalInterface
public interface FatalErrorHandler {
  void onFatalError(String what, Throwable cause);
}
