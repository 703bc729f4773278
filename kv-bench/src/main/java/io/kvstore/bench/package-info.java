/**
 * Comparison and micro-benchmark tooling, kept out of the distribution because of its dependencies:
 * the etcd target for {@code kv bench} ({@code etcd}), the YCSB binding ({@code ycsb}) and JMH
 * benchmarks ({@code jmh}). See docs/performance.md.
 */
package io.kvstore.bench;
