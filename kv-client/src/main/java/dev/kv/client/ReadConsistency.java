package dev.kv.client;

/** How fresh a read must be. */
public enum ReadConsistency {
  /**
   * The read reflects every write acknowledged before it started (a Raft read index round trip).
   * The default.
   */
  LINEARIZABLE,
  /**
   * Answered by whichever replica receives it, without a quorum round trip. Cheaper, but it may
   * miss recent writes. It never shows uncommitted data.
   */
  SERIALIZABLE
}
