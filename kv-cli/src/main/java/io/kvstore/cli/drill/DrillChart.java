package io.kvstore.cli.drill;

import io.kvstore.cli.check.Event;
import io.kvstore.cli.check.EventType;
import io.kvstore.cli.check.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A PNG of a drill over time, in one-second buckets by completion time: throughput (ok and not-ok
 * operations per second) on top, latency p50 and p99 of ok operations (log scale) below, fault
 * windows shaded in both (kill red, pause blue, other kinds grey), the final read phase marked.
 * Drawn with java.awt in headless mode; no dependency beyond the JDK.
 */
public final class DrillChart {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 700;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final long SECOND = 1_000_000_000L;

  private DrillChart() {}

  /** Per-second figures; latencies in milliseconds, NaN where no ok operation completed. */
  record Buckets(int[] ok, int[] notOk, double[] p50, double[] p99) {}

  static Buckets buckets(History history, long startNanos, int seconds) {
    int[] ok = new int[seconds];
    int[] notOk = new int[seconds];
    List<List<Double>> lat = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      lat.add(new ArrayList<>());
    }
    Map<Long, Long> invoked = new HashMap<>();
    for (Event e : history.events()) {
      if (e.type() == EventType.INVOKE) {
        invoked.put(e.process(), e.time());
        continue;
      }
      Long inv = invoked.remove(e.process());
      int b = (int) Math.floorDiv(e.time() - startNanos, SECOND);
      if (inv == null || b < 0 || b >= seconds) {
        continue;
      }
      if (e.type() == EventType.OK) {
        ok[b]++;
        lat.get(b).add((e.time() - inv) / 1e6);
      } else {
        notOk[b]++;
      }
    }
    double[] p50 = new double[seconds];
    double[] p99 = new double[seconds];
    for (int i = 0; i < seconds; i++) {
      double[] l = lat.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      p50[i] = percentile(l, 0.50);
      p99[i] = percentile(l, 0.99);
    }
    return new Buckets(ok, notOk, p50, p99);
  }

  private static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /**
   * Writes the chart of {@code history} from {@code startNanos} to its last event.
   *
   * @param finalReadsNanos when the final read phase began, or 0
   * @param finalReadsEndNanos when it ended
   */
  public static void write(
      Path png,
      String title,
      History history,
      List<Nemesis.FaultWindow> faults,
      long startNanos,
      long finalReadsNanos,
      long finalReadsEndNanos)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    long last = startNanos;
    for (Event e : history.events()) {
      last = Math.max(last, e.time());
    }
    for (Nemesis.FaultWindow w : faults) {
      last = Math.max(last, w.endNanos());
    }
    int seconds = (int) Math.max(1, (last - startNanos + SECOND - 1) / SECOND);
    Buckets b = buckets(history, startNanos, seconds);

    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.setColor(Color.BLACK);
      g.drawString(title, LEFT, 24);
      int plotW = WIDTH - LEFT - RIGHT;
      Panel top = new Panel(LEFT, 50, plotW, 270, seconds);
      Panel bottom = new Panel(LEFT, 370, plotW, 270, seconds);

      int maxOps = 1;
      for (int i = 0; i < seconds; i++) {
        maxOps = Math.max(maxOps, Math.max(b.ok()[i], b.notOk()[i]));
      }
      double maxOpsAxis = niceCeil(maxOps);
      double maxLat = 1;
      double minLat = Double.MAX_VALUE;
      for (int i = 0; i < seconds; i++) {
        if (!Double.isNaN(b.p99()[i])) {
          maxLat = Math.max(maxLat, b.p99()[i]);
        }
        if (!Double.isNaN(b.p50()[i])) {
          minLat = Math.min(minLat, b.p50()[i]);
        }
      }
      double lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(minLat, maxLat)))));
      double hi = Math.pow(10, Math.ceil(Math.log10(maxLat)));
      if (hi <= lo) {
        hi = lo * 10;
      }

      for (Panel p : List.of(top, bottom)) {
        shade(g, p, faults, startNanos, finalReadsNanos, finalReadsEndNanos);
        p.frame(g);
      }
      // Throughput axis and series.
      for (int i = 0; i <= 4; i++) {
        double v = maxOpsAxis * i / 4;
        int y = top.y(v / maxOpsAxis);
        top.hGrid(g, y, String.format("%.0f", v));
      }
      top.series(g, toDouble(b.ok()), v -> v / maxOpsAxis, new Color(0, 130, 0));
      top.series(g, toDouble(b.notOk()), v -> v / maxOpsAxis, new Color(200, 120, 0));
      top.label(g, "operations / s");
      // Latency axis (log) and series.
      double logLo = Math.log10(lo);
      double logHi = Math.log10(hi);
      for (double d = lo; d <= hi * 1.0001; d *= 10) {
        int y = bottom.y((Math.log10(d) - logLo) / (logHi - logLo));
        bottom.hGrid(g, y, d >= 1 ? String.format("%.0f ms", d) : String.format("%.1f ms", d));
      }
      java.util.function.DoubleUnaryOperator logScale =
          v -> (Math.log10(Math.max(v, lo)) - logLo) / (logHi - logLo);
      bottom.series(g, b.p50(), logScale, new Color(0, 90, 200));
      bottom.series(g, b.p99(), logScale, new Color(200, 0, 120));
      bottom.label(g, "latency of ok operations (log scale)");
      bottom.timeAxis(g);

      legend(
          g,
          WIDTH - RIGHT - 680,
          HEIGHT - 28,
          new String[] {
            "ok/s", "fail+info/s", "p50", "p99", "kill", "pause", "network/transfer", "final reads"
          },
          new Color[] {
            new Color(0, 130, 0),
            new Color(200, 120, 0),
            new Color(0, 90, 200),
            new Color(200, 0, 120),
            KILL,
            PAUSE,
            OTHER,
            FINAL
          });
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", png.toFile());
  }

  private static final Color KILL = new Color(255, 170, 170);
  private static final Color PAUSE = new Color(170, 200, 255);
  private static final Color OTHER = new Color(210, 210, 210);
  private static final Color FINAL = new Color(200, 235, 200);

  private static void shade(
      Graphics2D g,
      Panel p,
      List<Nemesis.FaultWindow> faults,
      long start,
      long finalReads,
      long finalReadsEnd) {
    if (finalReads > 0) {
      g.setColor(FINAL);
      int x = p.x((finalReads - start) / (double) SECOND);
      int x1 = p.x((finalReadsEnd - start) / (double) SECOND);
      g.fillRect(x, p.top, Math.max(2, x1 - x), p.height);
    }
    for (Nemesis.FaultWindow w : faults) {
      g.setColor(
          switch (w.kind().name()) {
            case "KILL" -> KILL;
            case "PAUSE" -> PAUSE;
            default -> OTHER;
          });
      int x0 = p.x((w.startNanos() - start) / (double) SECOND);
      int x1 = p.x((w.endNanos() - start) / (double) SECOND);
      g.fillRect(x0, p.top, Math.max(2, x1 - x0), p.height);
      g.setColor(Color.DARK_GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawString(w.kind().label() + " " + w.detail(), x0 + 2, p.top + 12);
    }
  }

  private static void legend(Graphics2D g, int x, int y, String[] names, Color[] colors) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i < names.length; i++) {
      g.setColor(colors[i]);
      g.fillRect(x, y - 10, 14, 10);
      g.setColor(Color.BLACK);
      g.drawString(names[i], x + 18, y);
      x += 24 + g.getFontMetrics().stringWidth(names[i]) + 12;
    }
  }

  private static double[] toDouble(int[] a) {
    return Arrays.stream(a).asDoubleStream().toArray();
  }

  private static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** One plot area: x in seconds from the start, y as a 0..1 fraction. */
  private static final class Panel {
    final int left;
    final int top;
    final int width;
    final int height;
    final int seconds;

    Panel(int left, int top, int width, int height, int seconds) {
      this.left = left;
      this.top = top;
      this.width = width;
      this.height = height;
      this.seconds = seconds;
    }

    int x(double second) {
      return left + (int) Math.round(Math.max(0, Math.min(seconds, second)) * width / seconds);
    }

    int y(double fraction) {
      return top + height - (int) Math.round(Math.max(0, Math.min(1, fraction)) * height);
    }

    void frame(Graphics2D g) {
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1));
      g.drawRect(left, top, width, height);
    }

    void hGrid(Graphics2D g, int y, String label) {
      g.setColor(new Color(225, 225, 225));
      g.drawLine(left + 1, y, left + width - 1, y);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
    }

    void label(Graphics2D g, String text) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      g.drawString(text, left + 6, top - 6);
    }

    void timeAxis(Graphics2D g) {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      int step = Math.max(1, (int) niceCeil(seconds / 12.0));
      for (int s = 0; s <= seconds; s += step) {
        int x = x(s);
        g.setColor(Color.BLACK);
        g.drawLine(x, top + height, x, top + height + 4);
        String t = s + " s";
        g.drawString(t, x - g.getFontMetrics().stringWidth(t) / 2, top + height + 17);
      }
    }

    /** A line through the bucket centres; NaN breaks the line. */
    void series(
        Graphics2D g, double[] values, java.util.function.DoubleUnaryOperator scale, Color c) {
      g.setColor(c);
      g.setStroke(new BasicStroke(2));
      int px = -1;
      int py = -1;
      for (int i = 0; i < values.length; i++) {
        if (Double.isNaN(values[i])) {
          px = -1;
          continue;
        }
        int x = x(i + 0.5);
        int y = y(scale.applyAsDouble(values[i]));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 2, y - 2, 5, 5);
        px = x;
        py = y;
      }
      g.setStroke(new BasicStroke(1));
    }
  }
}
