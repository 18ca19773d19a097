/**
 * The Java SDK of the kv key-value service. Start with {@link dev.kv.client.KvClient#builder()}.
 *
 * <p>Every type an application needs is in this package; {@code dev.kv.client.internal} is not API
 * and may change in any release.
 */
package dev.kv.client;
