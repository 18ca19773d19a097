/**
 * Judges a recorded history: is there an order of its operations, consistent with real time, in
 * which every operation's answer is what one copy of the data would have given? Start with {@link
 * dev.kv.chaos.check.LinearizabilityChecker}. The search ({@code LinearizationSearch}) knows
 * nothing about keys and values; what operations mean is a {@link dev.kv.chaos.check.Model}.
 *
 * <p>A check never passes by default: when it runs out of time or memory the answer is {@link
 * dev.kv.chaos.check.Verdict#UNKNOWN}, which a test must treat as "not proven".
 */
package dev.kv.chaos.check;
