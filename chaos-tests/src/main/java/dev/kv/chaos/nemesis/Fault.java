package dev.kv.chaos.nemesis;

/**
 * One fault, with its targets already chosen: {@link #start} injects it, {@link #stop} heals it.
 * The schedule records both in the history under {@link #name}, which names the targets, so a
 * report can say which node was hit.
 */
public interface Fault {
  /** What and where, for example {@code "kill n2 (leader)"}. */
  String name();

  void start() throws Exception;

  /** Heals the fault; the schedule then waits until the cluster is whole again. */
  void stop() throws Exception;
}
