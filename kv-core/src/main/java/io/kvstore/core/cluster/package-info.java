/**
 * The cluster map: which nodes exist (addresses, zone, weight) and which nodes hold each
 * partition's replicas, under an epoch that grows with every change. Pure data, its bootstrap
 * computation from the ring, and its binary format.
 */
package io.kvstore.core.cluster;
