package io.siamese.data;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, plain or gzipped (recognised by the gzip magic
 * bytes {@code 1f 8b}, whatever the file name).
 *
 * <p>An IDX file is a 4-byte magic number {@code 00 00 TYPE RANK}, then {@code RANK} big-endian
 * 32-bit dimensions, then the elements in row-major order. Only the unsigned-byte type ({@code
 * 0x08}) is supported, which is what MNIST-like sets use. Images ({@code N x rows x cols}, or
 * {@code N x length} feature vectors) become floats {@code value / 255} in {@code [0, 1]}, with
 * shape {@code rows x cols x 1} (or {@code [length]}); labels ({@code N}) become class labels.
 *
 * <p>A file is read whole or not at all: a wrong magic number, an unsupported type or rank, a file
 * that ends early or continues past its data, or a corrupt gzip stream throws an {@link
 * IOException} naming the file. Stateless and thread-safe.
 */
public final class IdxLoader {
  /** The IDX type code of unsigned bytes. */
  static final int UNSIGNED_BYTE = 0x08;

  private IdxLoader() {}

  /**
   * Loads an images file and its labels file into a dataset: example {@code i} is image {@code i}
   * with label {@code i}. Needs about {@code 5 * N * rows * cols} bytes while loading (the bytes
   * read, then the floats kept).
   *
   * @param images an IDX file of rank 3 ({@code N x rows x cols}) or 2 ({@code N x length})
   * @param labels an IDX file of rank 1 ({@code N}) with the same {@code N}
   * @throws IOException naming the file if either cannot be read or is malformed, or if the two
   *     counts differ
   */
  public static LabeledDataset load(Path images, Path labels) throws IOException {
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    IdxArray labelArray = read(labels);
    if (labelArray.dims.length != 1) {
      throw new IOException(
          String.format(
              "labels file %s has rank %s; a labels file must have rank 1",
              labels, labelArray.dims.length));
    }
    IdxArray imageArray = read(images);
    int[] dims = imageArray.dims;
    if (dims.length != 2 && dims.length != 3) {
      throw new IOException(
          String.format(
              "images file %s has rank %s; an images file must have rank 3 (N x rows x cols) or 2"
                  + " (N x length)",
              images, dims.length));
    }
    if (dims[0] != labelArray.dims[0]) {
      throw new IOException(
          String.format(
              "images file %s holds %s images but labels file %s holds %s labels",
              images, dims[0], labels, labelArray.dims[0]));
    }
    if (dims[0] == 0) {
      throw new IOException("images file " + images + " holds no images");
    }
    ExampleShape shape =
        dims.length == 3 ? ExampleShape.image(dims[1], dims[2], 1) : ExampleShape.vector(dims[1]);
    byte[] pixels = imageArray.data;
    float[] features = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      features[i] = (pixels[i] & 0xff) / 255f;
    }
    byte[] rawLabels = labelArray.data;
    int[] labelValues = new int[rawLabels.length];
    for (int i = 0; i < rawLabels.length; i++) {
      labelValues[i] = rawLabels[i] & 0xff;
    }
    return LabeledDataset.owning(features, labelValues, shape, null, Map.of(), Map.of());
  }

  /** A decoded IDX file of unsigned bytes. */
  static final class IdxArray {
    final int[] dims;
    final byte[] data;

    IdxArray(int[] dims, byte[] data) {
      this.dims = dims;
      this.data = data;
    }
  }

  /** Reads one unsigned-byte IDX file, plain or gzipped, checking it ends where its data ends. */
  static IdxArray read(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzipped = b0 == 0x1f && b1 == 0x8b;
      InputStream in = gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw;
      return readIdx(new DataInputStream(in), file, gzipped);
    } catch (EOFException e) {
      throw new IOException("IDX file " + file + " is truncated: it ends before its data", e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains(file.toString())) {
        throw e;
      }
      throw new IOException("cannot read IDX file " + file + ": " + e, e);
    }
  }

  private static IdxArray readIdx(DataInputStream in, Path file, boolean gzipped)
      throws IOException {
    int magic = in.readInt();
    int type = (magic >>> 8) & 0xff;
    int rank = magic & 0xff;
    if ((magic >>> 16) != 0 || rank == 0) {
      throw new IOException(
          String.format(
              "%s is not an IDX file: magic number 0x%08x, expected 0x0000TTRR (type, rank > 0)%s",
              file, magic, gzipped ? "" : " (nor gzip: no 1f 8b header)"));
    }
    if (type != UNSIGNED_BYTE) {
      throw new IOException(
          String.format(
              "IDX file %s has element type 0x%02x; only unsigned bytes (0x08) are supported",
              file, type));
    }
    int[] dims = new int[rank];
    long count = 1;
    for (int d = 0; d < rank; d++) {
      dims[d] = in.readInt();
      if (dims[d] < 0) {
        throw new IOException(
            String.format("IDX file %s has dimension %s of size %s", file, d, dims[d]));
      }
      count *= dims[d];
      if (count > Integer.MAX_VALUE - 8) {
        throw new IOException(
            String.format("IDX file %s holds more elements than one Java array can", file));
      }
    }
    byte[] data = new byte[(int) count];
    int read = in.readNBytes(data, 0, data.length);
    if (read < data.length) {
      throw new IOException(
          String.format(
              "IDX file %s is truncated: dimensions %s need %s bytes of data, it holds %s",
              file, Arrays.toString(dims), data.length, read));
    }
    if (in.read() != -1) {
      throw new IOException(
          String.format(
              "IDX file %s continues past the %s bytes its dimensions %s describe",
              file, data.length, Arrays.toString(dims)));
    }
    return new IdxArray(dims, data);
  }
}
