/**
 * {@code kv bench --target etcd}: drives an etcd cluster through jetcd with the same closed-loop
 * engine, workloads, key choice and histograms as the store, for side-by-side comparisons.
 */
package io.kvstore.bench.etcd;
