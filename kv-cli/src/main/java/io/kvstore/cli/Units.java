package io.kvstore.cli;

/** Human-readable durations and sizes for tables; JSON and plain output keep exact numbers. */
final class Units {
  private Units() {}

  /**
   * Like kubectl's AGE, two units at most: {@code 42s}, {@code 5m7s}, {@code 3h4m}, {@code 2d3h}.
   */
  static String duration(long millis) {
    long s = Math.max(0, millis) / 1000;
    if (s < 60) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 60) {
      return m + "m" + s % 60 + "s";
    }
    long h = m / 60;
    if (h < 24) {
      return h + "h" + m % 60 + "m";
    }
    return h / 24 + "d" + h % 24 + "h";
  }

  /** Binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
