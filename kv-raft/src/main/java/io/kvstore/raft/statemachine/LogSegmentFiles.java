package io.kvstore.raft.statemachine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the index ranges of a group's Raft log segment files from their names ({@code
 * log_<start>-<end>} when closed, {@code log_inprogress_<start>} when open), without opening them.
 */
public final class LogSegmentFiles {
  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final Pattern OPEN = Pattern.compile("log_inprogress_(\\d+)");

  private LogSegmentFiles() {}

  /**
   * Bytes of the segment files in {@code dir} holding any entry with {@code from <= index <= to} (a
   * segment that straddles a bound counts whole: Ratis reads segments whole).
   */
  public static long bytesOverlapping(Path dir, long from, long to) throws IOException {
    if (from > to || !Files.isDirectory(dir)) {
      return 0;
    }
    long bytes = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "log_*")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        Matcher closed = CLOSED.matcher(name);
        Matcher open = OPEN.matcher(name);
        long start;
        long end;
        if (closed.matches()) {
          start = Long.parseLong(closed.group(1));
          end = Long.parseLong(closed.group(2));
        } else if (open.matches()) {
          start = Long.parseLong(open.group(1));
          end = Long.MAX_VALUE;
        } else {
          continue;
        }
        if (start <= to && end >= from) {
          bytes += Files.size(f);
        }
      }
    }
    return bytes;
  }
}
