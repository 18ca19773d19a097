/**
 * The SDK's implementation: retries, failover, write numbering, validation and the protocol
 * mapping. Not API: nothing here appears in a public signature of {@code dev.kv.client}, and it may
 * change in any release.
 */
package dev.kv.client.internal;
