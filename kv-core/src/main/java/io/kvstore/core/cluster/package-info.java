/**
 * The cluster map: which nodes exist (addresses, zone, weight) and which nodes hold each
 * partition's replicas, under an epoch that grows with every change. Pure data, its bootstrap
 * computation from the ring, and its binary format; and the pure logic of membership changes: map
 * transitions ({@code ClusterMap.with...}), where replicas should be ({@link
 * io.kvstore.core.cluster.TargetPlacement}), the moves that get them there ({@link
 * io.kvstore.core.cluster.MovePlan}) and the meta group's voters ({@link
 * io.kvstore.core.cluster.MetaVoters}).
 */
package io.kvstore.core.cluster;
