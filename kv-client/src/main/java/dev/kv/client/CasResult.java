package dev.kv.client;

/**
 * The answer to a compare-and-set. A failed condition is an ordinary answer, not an error.
 *
 * @param succeeded whether the condition held and the write or delete was applied
 * @param version on success, the key's version after the write (0 after a delete); on failure, the
 *     key's current version (0 when the key is absent)
 */
public record CasResult(boolean succeeded, long version) {}
