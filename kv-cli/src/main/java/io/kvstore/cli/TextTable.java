package io.kvstore.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A borderless table like kubectl's: upper-case headers, columns padded to their widest cell and
 * separated by three spaces. In {@code plain} mode the same rows are printed tab-separated without
 * header, which is easier to cut/awk.
 */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  void add(List<String> row) {
    if (row.size() != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + row.size() + " cells, table has " + headers.size() + " columns");
    }
    rows.add(List.copyOf(row));
  }

  void print(PrintWriter out, OutputFormat format) {
    if (format == OutputFormat.plain) {
      for (List<String> row : rows) {
        out.println(String.join("\t", row));
      }
      return;
    }
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, headers, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      sb.append(cell);
      if (i < cells.size() - 1) {
        sb.append(" ".repeat(widths[i] - cell.length() + 3));
      }
    }
    out.println(sb);
  }
}
