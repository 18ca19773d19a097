/**
 * What a chaos run observed: every operation a client invoked, with its call and return times from
 * one monotonic clock and its outcome, plus the faults the nemesis injected. {@link
 * dev.kv.chaos.history.HistoryRecorder} records a history while clients run; {@link
 * dev.kv.chaos.history.HistoryJsonLines} stores and loads it. Nothing here judges a history: that
 * is {@code dev.kv.chaos.check}'s job.
 *
 * <p>Values are strings (a workload writes unique, readable values such as {@code "p3-17"} and
 * encodes them as UTF-8 on the wire), so a stored history reads like a log.
 */
package dev.kv.chaos.history;
