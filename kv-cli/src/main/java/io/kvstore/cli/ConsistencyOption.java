package io.kvstore.cli;

import io.kvstore.client.ReadOptions;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --consistency} option of get and scan: how fresh a read must be. */
public final class ConsistencyOption {
  @Option(
      names = "--consistency",
      paramLabel = "LEVEL",
      defaultValue = "linearizable",
      converter = Converter.class,
      description =
          "How fresh the read must be: linearizable (default; the leader, sees every write "
              + "acknowledged before the read), lease (the leader without a ReadIndex round), "
              + "bounded[=DURATION[,ENTRIES]] (any replica at most DURATION behind, default "
              + "1s, and at most ENTRIES log entries, default 0), any (any replica, may be "
              + "stale).")
  ReadOptions read = ReadOptions.LINEARIZABLE;

  ReadOptions readOptions() {
    return read;
  }

  /** Parses {@code linearizable | lease | any | bounded[=DURATION[,ENTRIES]]}. */
  public static final class Converter implements ITypeConverter<ReadOptions> {
    private static final String FORMS =
        "use linearizable, lease, any, bounded or bounded=DURATION[,ENTRIES] "
            + "(e.g. bounded=500ms or bounded=2s,100)";

    @Override
    public ReadOptions convert(String text) {
      String v = text.trim();
      int eq = v.indexOf('=');
      String level = (eq < 0 ? v : v.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (eq >= 0 && !level.equals("bounded")) {
        throw new TypeConversionException(
            "'" + text + "': only bounded takes a staleness bound; " + FORMS);
      }
      switch (level) {
        case "linearizable":
          return ReadOptions.LINEARIZABLE;
        case "lease":
          return ReadOptions.LEASE;
        case "any":
          return ReadOptions.ANY;
        case "bounded":
          return eq < 0
              ? ReadOptions.bounded(Duration.ofSeconds(1))
              : bounded(text, v.substring(eq + 1));
        default:
          throw new TypeConversionException("'" + text + "' is not a consistency level; " + FORMS);
      }
    }

    private static ReadOptions bounded(String text, String bound) {
      String[] parts = bound.split(",", -1);
      if (parts.length > 2 || parts[0].isBlank()) {
        throw new TypeConversionException("'" + text + "': " + FORMS);
      }
      Duration staleness;
      try {
        staleness = new DurationConverter().convert(parts[0]);
      } catch (TypeConversionException e) {
        throw new TypeConversionException("'" + text + "': " + e.getMessage());
      }
      long entries = 0;
      if (parts.length == 2) {
        String n = parts[1].trim();
        if (!n.matches("\\d{1,18}")) {
          throw new TypeConversionException(
              "'" + text + "': the entry lag '" + n + "' is not a whole number of entries");
        }
        entries = Long.parseLong(n);
      }
      return ReadOptions.bounded(staleness, entries);
    }
  }
}
