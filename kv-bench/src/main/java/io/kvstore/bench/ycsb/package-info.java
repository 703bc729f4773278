/**
 * A YCSB ({@code site.ycsb:core} 0.17.0) binding for the store: {@link
 * io.kvstore.bench.ycsb.KvYcsbClient}, run by scripts/ycsb.sh.
 */
package io.kvstore.bench.ycsb;
