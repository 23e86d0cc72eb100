package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * Where a {@link LabeledDataset} keeps its features: one {@code float[]} (4 bytes a value), or
 * unsigned bytes (1 byte a value) decoded through a per-channel table of 256 floats when a row is
 * copied out. Rows are {@code rowSize} values, row-major; callers check indices.
 *
 * <p>Byte rows sit in chunks of whole rows (at most about 64 MiB each), so a byte dataset may
 * exceed the 2^31 - 1 elements of one Java array (100,000 images of 96x96x3 are 2.8 GB) and never
 * needs one huge contiguous allocation.
 */
abstract class FeatureStore {
  /** Bytes per chunk of byte rows, rounded down to whole rows (at least one row). */
  static final int CHUNK_BYTES = 1 << 26;

  final int rowSize;
  final int rows;

  private FeatureStore(int rowSize, int rows) {
    this.rowSize = rowSize;
    this.rows = rows;
  }

  static FeatureStore ofFloats(float[] data, int rowSize) {
    return new Floats(data, rowSize);
  }

  /** Writes row {@code i}'s {@code rowSize} floats to {@code dst} from {@code offset}. */
  abstract void copyRow(int i, float[] dst, int offset);

  /** A new store of the listed rows, in order, in the same representation. */
  abstract FeatureStore select(int[] indices);

  /** Whether values are held as unsigned bytes. */
  abstract boolean isBytes();

  /** Heap bytes the values occupy. */
  abstract long memoryBytes();

  /** The float array itself, for float stores only (package-internal sharing, no copy). */
  float[] floatsOrNull() {
    return null;
  }

  /** The stored row-major floats. */
  static final class Floats extends FeatureStore {
    private final float[] data;

    Floats(float[] data, int rowSize) {
      super(rowSize, data.length / rowSize);
      this.data = data;
    }

    @Override
    void copyRow(int i, float[] dst, int offset) {
      System.arraycopy(data, i * rowSize, dst, offset, rowSize);
    }

    @Override
    FeatureStore select(int[] indices) {
      float[] out = new float[Math.multiplyExact(indices.length, rowSize)];
      for (int k = 0; k < indices.length; k++) {
        copyRow(indices[k], out, k * rowSize);
      }
      return new Floats(out, rowSize);
    }

    @Override
    boolean isBytes() {
      return false;
    }

    @Override
    long memoryBytes() {
      return 4L * data.length;
    }

    @Override
    float[] floatsOrNull() {
      return data;
    }
  }

  /**
   * Unsigned bytes decoded by {@code table[(channel << 8) | u]}, where the channel of the value at
   * position {@code j} of a row is {@code j % channels} (channels last).
   */
  static final class Bytes extends FeatureStore {
    private final byte[][] chunks;
    private final int rowsPerChunk;
    private final float[] table;
    private final int channels;

    Bytes(byte[][] chunks, int rowsPerChunk, int rows, int rowSize, float[] table, int channels) {
      super(rowSize, rows);
      this.chunks = chunks;
      this.rowsPerChunk = rowsPerChunk;
      this.table = table;
      this.channels = channels;
    }

    float[] table() {
      return table.clone();
    }

    int channels() {
      return channels;
    }

    /** The raw bytes of row {@code i} into {@code dst} from {@code offset}. */
    void copyRawRow(int i, byte[] dst, int offset) {
      System.arraycopy(chunks[i / rowsPerChunk], (i % rowsPerChunk) * rowSize, dst, offset, rowSize);
    }

    @Override
    void copyRow(int i, float[] dst, int offset) {
      byte[] chunk = chunks[i / rowsPerChunk];
      int s = (i % rowsPerChunk) * rowSize;
      float[] t = table;
      if (channels == 1) {
        for (int j = 0; j < rowSize; j++) {
          dst[offset + j] = t[chunk[s + j] & 0xff];
        }
      } else if (channels == 3) {
        for (int j = 0; j < rowSize; j += 3) {
          dst[offset + j] = t[chunk[s + j] & 0xff];
          dst[offset + j + 1] = t[256 | (chunk[s + j + 1] & 0xff)];
          dst[offset + j + 2] = t[512 | (chunk[s + j + 2] & 0xff)];
        }
      } else {
        for (int j = 0; j < rowSize; j += channels) {
          for (int c = 0; c < channels; c++) {
            dst[offset + j + c] = t[(c << 8) | (chunk[s + j + c] & 0xff)];
          }
        }
      }
    }

    @Override
    FeatureStore select(int[] indices) {
      Writer w = new Writer(rowSize, indices.length, table, channels);
      byte[] row = new byte[rowSize];
      for (int i : indices) {
        copyRawRow(i, row, 0);
        w.add(row);
      }
      return w.finish();
    }

    @Override
    boolean isBytes() {
      return true;
    }

    @Override
    long memoryBytes() {
      long n = 0;
      for (byte[] c : chunks) {
        n += c.length;
      }
      return n;
    }
  }

  /**
   * Builds a byte store row by row, allocating chunks as rows arrive, so that a loader that skips
   * bad files never holds room for rows it will not fill beyond the last chunk.
   */
  static final class Writer {
    private final int rowSize;
    private final int rowsPerChunk;
    private final float[] table;
    private final int channels;
    private byte[][] chunks;
    private int rows;

    /**
     * @param expectedRows a hint for the number of rows, {@code >= 0}
     * @param table {@code channels * 256} finite floats, owned by the store from now on
     */
    Writer(int rowSize, int expectedRows, float[] table, int channels) {
      this(rowSize, expectedRows, table, channels, CHUNK_BYTES);
    }

    /** As above with chunks of about {@code chunkBytes} (tests use small ones). */
    Writer(int rowSize, int expectedRows, float[] table, int channels, int chunkBytes) {
      checkArgument(rowSize > 0 && rowSize % channels == 0, "row size %s", rowSize);
      checkArgument(table.length == channels * 256, "table length %s", table.length);
      this.rowSize = rowSize;
      this.rowsPerChunk = Math.max(1, chunkBytes / rowSize);
      this.table = table;
      this.channels = channels;
      int expectedChunks = (int) (((long) expectedRows + rowsPerChunk - 1) / rowsPerChunk);
      this.chunks = new byte[Math.max(1, expectedChunks)][];
    }

    int rows() {
      return rows;
    }

    /** Appends {@code rowSize} bytes of {@code row} from offset 0. */
    void add(byte[] row) {
      int c = rows / rowsPerChunk;
      if (c == chunks.length) {
        chunks = Arrays.copyOf(chunks, chunks.length * 2);
      }
      if (chunks[c] == null) {
        chunks[c] = new byte[Math.multiplyExact(rowsPerChunk, rowSize)];
      }
      System.arraycopy(row, 0, chunks[c], (rows % rowsPerChunk) * rowSize, rowSize);
      rows++;
    }

    /** The store; the last chunk is trimmed to the rows it holds. */
    Bytes finish() {
      int used = (rows + rowsPerChunk - 1) / rowsPerChunk;
      byte[][] out = Arrays.copyOf(chunks, used);
      if (used > 0) {
        int inLast = rows - (used - 1) * rowsPerChunk;
        if (inLast < rowsPerChunk) {
          out[used - 1] = Arrays.copyOf(out[used - 1], inLast * rowSize);
        }
      }
      chunks = null;
      return new Bytes(out, rowsPerChunk, rows, rowSize, table, channels);
    }
  }

  /**
   * The decoding table for per-channel affine maps: entry {@code (c << 8) | u} is {@code (float)
   * (u / 255.0 * scale[c] + offset[c])}, computed in double and rounded once.
   *
   * @throws IllegalArgumentException if a scale or offset is not finite or a value overflows float
   */
  static float[] affineTable(double[] scale, double[] offset) {
    checkArgument(
        scale.length == offset.length,
        "scale and offset must have one value per channel, got %s and %s",
        scale.length,
        offset.length);
    float[] table = new float[scale.length * 256];
    for (int c = 0; c < scale.length; c++) {
      checkArgument(Double.isFinite(scale[c]), "scale[%s] must be finite, got %s", c, (Object) scale[c]);
      checkArgument(
          Double.isFinite(offset[c]), "offset[%s] must be finite, got %s", c, (Object) offset[c]);
      for (int u = 0; u < 256; u++) {
        float v = (float) (u / 255.0 * scale[c] + offset[c]);
        checkArgument(
            Float.isFinite(v),
            "byte %s of channel %s decodes to %s (scale %s, offset %s); values must be finite",
            u,
            c,
            v,
            scale[c],
            offset[c]);
        table[(c << 8) | u] = v;
      }
    }
    return table;
  }

  /** Copies {@code values} into a byte store with the affine decoding of {@link LabeledDataset#ofBytes}. */
  static FeatureStore copyOfBytes(
      byte[] values, int rows, ExampleShape shape, double[] scale, double[] offset) {
    int channels = scale.length;
    checkArgument(
        channels == 1 || (shape.isImage() && channels == shape.channels()),
        "scale must hold 1 value or one per channel of an image shape, got %s for shape %s",
        channels,
        shape);
    int rowSize = shape.size();
    Writer w =
        new Writer(rowSize, rows, affineTable(scale, offset), channels);
    byte[] row = new byte[rowSize];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(values, i * rowSize, row, 0, rowSize);
      w.add(row);
    }
    return w.finish();
  }
}
