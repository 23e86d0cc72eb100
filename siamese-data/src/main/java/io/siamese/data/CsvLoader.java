package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Loads a CSV file of feature vectors with one label column into a {@link LabeledDataset} of {@link
 * ExampleShape#vector vector} examples: every column other than the label is a feature, in file
 * order.
 *
 * <p>Format: RFC 4180 CSV as spreadsheets write it, read with Apache Commons CSV: UTF-8 (a leading
 * byte-order mark is skipped), records ending in LF, CRLF or CR, fields separated by a delimiter
 * (default {@code ,}) and stripped of surrounding spaces. A field may be quoted with {@code "} to
 * hold the delimiter, line breaks or a doubled {@code ""} quote ({@code "T-shirt, top"}); spaces
 * inside quotes are kept. Lines that are empty or all spaces are skipped. The label column is
 * chosen by name (needs a header line) or by zero-based index. Labels are non-negative integers,
 * or, with {@link Builder#stringLabels(boolean)}, arbitrary strings numbered {@code 0, 1, ...} in
 * sorted order and kept as class names.
 *
 * <p>A file is loaded whole or not at all: a bad number, a ragged row, an unterminated quote (the
 * message gives the line number, 1-based, of the line where the record starts, and the column,
 * 1-based), a missing label column or an empty file throws an {@link IOException} naming the file.
 * Immutable and thread-safe.
 */
public final class CsvLoader {
  private final String labelName;
  private final int labelIndex;
  private final boolean header;
  private final char delimiter;
  private final boolean stringLabels;

  private CsvLoader(Builder b) {
    this.labelName = b.labelName;
    this.labelIndex = b.labelIndex;
    this.header = b.header;
    this.delimiter = b.delimiter;
    this.stringLabels = b.stringLabels;
  }

  /**
   * A builder: header line expected, comma-separated, integer labels; the label column is unset.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code file}.
   *
   * @return a new dataset of vectors of {@code columns - 1} floats
   * @throws IOException naming the file, line and column if the file cannot be read or is malformed
   */
  public LabeledDataset load(Path file) throws IOException {
    checkNotNull(file, "file");
    CSVFormat format =
        CSVFormat.RFC4180
            .builder()
            .setDelimiter(delimiter)
            .setIgnoreSurroundingSpaces(true)
            // Blank lines come through as empty records, so line numbers stay exact.
            .setIgnoreEmptyLines(false)
            .get();
    int columns = -1;
    int label = labelIndex;
    FloatBuffer features = new FloatBuffer();
    List<String> rawLabels = new ArrayList<>();
    int[] intLabels = new int[1024];
    int rows = 0;
    long lineNumber = 0;
    long lastLine = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      skipByteOrderMark(reader);
      CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get();
      Iterator<CSVRecord> records = parser.iterator();
      boolean needHeader = header;
      while (true) {
        lineNumber = lastLine + 1;
        CSVRecord record;
        try {
          if (!records.hasNext()) {
            break;
          }
          record = records.next();
        } catch (UncheckedIOException | IllegalStateException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          throw new IOException(
              file + ": line " + lineNumber + " is not valid CSV: " + cause.getMessage(), e);
        }
        lastLine = parser.getCurrentLineNumber();
        String[] fields = record.values();
        if (fields.length == 0 || (fields.length == 1 && fields[0].isBlank())) {
          continue;
        }
        if (columns < 0) {
          columns = fields.length;
          if (columns < 2) {
            throw error(
                file,
                lineNumber,
                "has 1 column; a label and at least one feature are needed (delimiter '"
                    + delimiter
                    + "')");
          }
          if (labelName != null) {
            label = Arrays.asList(fields).indexOf(labelName);
            if (label < 0) {
              throw error(
                  file,
                  lineNumber,
                  "header has no column \""
                      + labelName
                      + "\"; its columns are "
                      + Arrays.toString(fields));
            }
          } else if (label >= columns) {
            throw error(
                file,
                lineNumber,
                "has " + columns + " columns, so label column index " + label + " is out of range");
          }
        } else if (fields.length != columns) {
          throw error(
              file,
              lineNumber,
              "has " + fields.length + " fields, but the first line has " + columns);
        }
        if (needHeader) {
          needHeader = false;
          continue;
        }
        for (int c = 0; c < columns; c++) {
          if (c == label) {
            if (stringLabels) {
              rawLabels.add(fields[c]);
            } else {
              if (rows == intLabels.length) {
                intLabels = Arrays.copyOf(intLabels, rows * 2);
              }
              intLabels[rows] = parseLabel(fields[c], file, lineNumber, c);
            }
          } else {
            features.add(parseFloat(fields[c], file, lineNumber, c));
          }
        }
        rows++;
      }
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
        throw e;
      }
      throw new IOException(
          file + ": cannot read CSV file after line " + (lineNumber - 1) + ": " + e, e);
    }
    if (rows == 0) {
      throw new IOException(file + ": no data rows" + (header ? " after the header line" : ""));
    }
    int[] labels = Arrays.copyOf(intLabels, rows);
    Map<Integer, String> classNames = new TreeMap<>();
    if (stringLabels) {
      String[] distinct = rawLabels.stream().distinct().sorted().toArray(String[]::new);
      for (int i = 0; i < distinct.length; i++) {
        classNames.put(i, distinct[i]);
      }
      for (int i = 0; i < labels.length; i++) {
        labels[i] = Arrays.binarySearch(distinct, rawLabels.get(i));
      }
    }
    return LabeledDataset.owning(
        features.toArray(), labels, ExampleShape.vector(columns - 1), null, classNames, Map.of());
  }

  /** Skips a UTF-8 byte-order mark (U+FEFF), which spreadsheets put before the first field. */
  private static void skipByteOrderMark(BufferedReader reader) throws IOException {
    reader.mark(1);
    if (reader.read() != '\uFEFF') {
      reader.reset();
    }
  }

  private static float parseFloat(String field, Path file, long line, int column)
      throws IOException {
    float value;
    try {
      value = Float.parseFloat(field);
    } catch (NumberFormatException e) {
      throw error(file, line, "column " + (column + 1) + " \"" + field + "\" is not a number");
    }
    if (!Float.isFinite(value)) {
      throw error(file, line, "column " + (column + 1) + " \"" + field + "\" is not finite");
    }
    return value;
  }

  private static int parseLabel(String field, Path file, long line, int column)
      throws IOException {
    int value;
    try {
      value = Integer.parseInt(field);
    } catch (NumberFormatException e) {
      throw error(
          file,
          line,
          "label (column "
              + (column + 1)
              + ") \""
              + field
              + "\" is not a non-negative integer; use stringLabels(true) for named classes");
    }
    if (value < 0) {
      throw error(file, line, "label (column " + (column + 1) + ") " + value + " is negative");
    }
    return value;
  }

  private static IOException error(Path file, long line, String what) {
    return new IOException(file + ": line " + line + " " + what);
  }

  @Override
  public String toString() {
    return "CsvLoader[label "
        + (labelName != null ? "\"" + labelName + "\"" : "column " + labelIndex)
        + (header ? ", header" : ", no header")
        + ", delimiter '"
        + delimiter
        + "'"
        + (stringLabels ? ", string labels" : "")
        + "]";
  }

  /** A growable float array, so that rows cost no object each. */
  private static final class FloatBuffer {
    private float[] data = new float[1024];
    private int size;

    void add(float v) {
      if (size == data.length) {
        checkState(data.length < Integer.MAX_VALUE / 2, "CSV holds too many floats for one array");
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  /** Collects {@link CsvLoader} settings; {@link #build()} validates them. */
  public static final class Builder {
    private String labelName;
    private int labelIndex = -1;
    private boolean header = true;
    private char delimiter = ',';
    private boolean stringLabels = false;

    private Builder() {}

    /** The label column by its header name; needs {@link #header(boolean) header(true)}. */
    public Builder labelColumn(String name) {
      checkNotNull(name, "name");
      checkState(
          labelName == null && labelIndex < 0,
          "the label column was already set to %s",
          labelName != null ? labelName : labelIndex);
      this.labelName = name;
      return this;
    }

    /** The label column by zero-based index, {@code >= 0}. */
    public Builder labelColumn(int index) {
      checkArgument(index >= 0, "label column index must be >= 0, got %s", index);
      checkState(
          labelName == null && labelIndex < 0,
          "the label column was already set to %s",
          labelName != null ? labelName : labelIndex);
      this.labelIndex = index;
      return this;
    }

    /** Whether the first non-blank line is a header of column names; default true. */
    public Builder header(boolean header) {
      this.header = header;
      return this;
    }

    /** The field separator; default {@code ,}. Not a space, quote or line break. */
    public Builder delimiter(char delimiter) {
      this.delimiter = delimiter;
      return this;
    }

    /**
     * Whether labels are names (any string, numbered in sorted order and kept as class names)
     * rather than non-negative integers; default false.
     */
    public Builder stringLabels(boolean stringLabels) {
      this.stringLabels = stringLabels;
      return this;
    }

    /**
     * The loader.
     *
     * @throws IllegalArgumentException if no label column was set, a column name is used without a
     *     header, or the delimiter is a space, quote or line break
     */
    public CsvLoader build() {
      checkArgument(
          labelName != null || labelIndex >= 0, "the label column must be set (by name or index)");
      checkArgument(
          labelName == null || header,
          "label column \"%s\" is chosen by name, which needs header(true)",
          labelName);
      checkArgument(
          delimiter != ' ' && delimiter != '"' && delimiter != '\n' && delimiter != '\r',
          "delimiter must not be a space, quote or line break, got '%s'",
          delimiter);
      return new CsvLoader(this);
    }
  }
}
