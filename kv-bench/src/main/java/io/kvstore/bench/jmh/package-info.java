/**
 * JMH micro-benchmarks of the store's hot paths outside the network: the codecs of log entries,
 * stored values and results, and applying a put into a MapDB store. Routing is benchmarked by
 * {@code io.kvstore.client.RoutingBenchmark} (same package as the package-private router). Run with
 * {@code java -jar kv-bench/target/benchmarks.jar}; never part of the build's tests.
 */
package io.kvstore.bench.jmh;
