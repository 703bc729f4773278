package io.kvstore.cli;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Zipfian key choice as in YCSB (Gray et al., "Quickly generating billion-record synthetic
 * databases"): item i of n is drawn with probability proportional to 1/(i+1)^theta, theta 0.99 by
 * default, and the ranks are scrambled by a hash so the hot keys spread over the key space (and so
 * over partitions) instead of clustering at the low numbers.
 */
final class ZipfianKeys {
  private final int n;
  private final double theta;
  private final double alpha;
  private final double zetan;
  private final double eta;

  ZipfianKeys(int n, double theta) {
    this.n = n;
    this.theta = theta;
    this.zetan = zeta(n, theta);
    double zeta2 = zeta(2, theta);
    this.alpha = 1.0 / (1.0 - theta);
    this.eta = (1 - Math.pow(2.0 / n, 1 - theta)) / (1 - zeta2 / zetan);
  }

  private static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, theta);
    }
    return sum;
  }

  /** The next key number in [0, n). */
  int next() {
    double u = ThreadLocalRandom.current().nextDouble();
    double uz = u * zetan;
    long rank;
    if (uz < 1.0) {
      rank = 0;
    } else if (uz < 1.0 + Math.pow(0.5, theta)) {
      rank = 1;
    } else {
      rank = (long) (n * Math.pow(eta * u - eta + 1, alpha));
    }
    return (int) Math.floorMod(scramble(Math.min(rank, n - 1)), (long) n);
  }

  private static long scramble(long x) {
    long h = x * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
  }
}
