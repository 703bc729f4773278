/** Tests of the YCSB binding against real nodes in the test JVM. */
package io.kvstore.bench.ycsb;
