/**
 * A linearizability checker for histories recorded by a Jepsen-style test harness: {@link
 * io.kvstore.cli.check.History} (the events and their JSONL form), {@link
 * io.kvstore.cli.check.Model}s of one key ({@link io.kvstore.cli.check.RegisterModel}, {@link
 * io.kvstore.cli.check.SetModel}) and {@link io.kvstore.cli.check.LinearizabilityChecker}, a
 * per-key Wing–Gong search with Lowe's memoization. Pure code: no threads, no clock, and no I/O
 * beyond reading and writing JSONL through a caller's Reader or Appendable.
 *
 * <h2>History format (JSONL)</h2>
 *
 * One event per line, a flat JSON object; values are strings, numbers, null, or (only in {@code
 * value}) an array of those; {@code process} and {@code time} must be 64-bit integers. Nested
 * objects and booleans are rejected. Other fields are ignored, so a harness may add its own (an
 * error message, the node that answered).
 *
 * <pre>
 * {"process":3,"type":"invoke","f":"write","key":"k1","value":"v7","time":123456789}
 * {"process":3,"type":"ok","f":"write","key":"k1","value":"v7","time":123999000}
 * </pre>
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>process</td><td>integer</td><td>the client; at most one operation in flight each.
 *       Jepsen retires a client after {@code info} and continues as a new process id; reusing
 *       the id is also accepted.</td></tr>
 *   <tr><td>type</td><td>string</td><td>{@code invoke}, then one of {@code ok} (took effect),
 *       {@code fail} (definitely did not take effect) or {@code info} (indeterminate: may take
 *       effect at any time after the invocation, even after the info event, or never). An
 *       invocation with no completion by the end is indeterminate too.</td></tr>
 *   <tr><td>f</td><td>string</td><td>the operation: {@code read}, {@code write}, {@code cas} for
 *       registers; {@code add}, {@code read} for sets.</td></tr>
 *   <tr><td>key</td><td>string</td><td>the key; keys are checked independently.</td></tr>
 *   <tr><td>value</td><td>see below</td><td>on invoke the argument, on ok the result.</td></tr>
 *   <tr><td>time</td><td>integer</td><td>the client's {@code System.nanoTime()}: taken just
 *       before sending (invoke) and just after the reply (completion). Only order matters, and
 *       only between events of clients sharing a monotonic clock.</td></tr>
 * </table>
 *
 * <table>
 *   <caption>{@code value} by operation</caption>
 *   <tr><th>f</th><th>invoke</th><th>ok</th></tr>
 *   <tr><td>read (register)</td><td>null</td><td>the value read; null = absent</td></tr>
 *   <tr><td>write</td><td>the value</td><td>ignored (conventionally the value)</td></tr>
 *   <tr><td>cas</td><td>{@code [expected, new]}; expected null = only if absent</td>
 *       <td>ignored; ok means expected matched and new was written</td></tr>
 *   <tr><td>add (set)</td><td>the element</td><td>ignored</td></tr>
 *   <tr><td>read (set)</td><td>null</td><td>the whole set as an array, any order</td></tr>
 * </table>
 *
 * <p>Numbers in {@code value} are read as their literal text ({@code 7} equals {@code "7"}); the
 * writer always writes strings. Values of fail and info completions are ignored. Events of one
 * process must appear in the order it produced them; across processes only {@code time} matters.
 * Workloads should write unique values, or a stale read can be mistaken for a fresh one.
 */
package io.kvstore.cli.check;
