package io.siamese.core.gallery;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The file of a saved {@link InMemoryGallery} ({@code gallery.bin}): a magic number, the space it
 * was made in (dimension, distance name, model digest), the next id, the labels as text, then per
 * embedding its id, its label's index and its floats (little-endian), then a CRC-32 of everything
 * before it. Every count is checked against the bytes that are actually there before anything is
 * allocated, so a corrupted or hostile file gets a clear error, never an allocation it asks for.
 */
final class GalleryFile {
  static final String NAME = "gallery.bin";
  private static final byte[] MAGIC = "SIAMGAL1".getBytes(StandardCharsets.US_ASCII);
  /** Longest label, distance name or digest accepted, in bytes. */
  private static final int MAX_TEXT = 1 << 16;

  /** What a gallery file holds. */
  record Contents(int dimension, String distance, String digest, long nextId, List<String> labels,
      long[] ids, int[] labelIndex, float[] rows) {}

  private GalleryFile() {}

  static byte[] write(Contents c) {
    List<byte[]> texts = new ArrayList<>();
    for (String l : c.labels()) {
      texts.add(l.getBytes(StandardCharsets.UTF_8));
    }
    byte[] distance = c.distance().getBytes(StandardCharsets.UTF_8);
    byte[] digest = c.digest().getBytes(StandardCharsets.UTF_8);
    long size = MAGIC.length + 4L + 4 + distance.length + 4 + digest.length + 8 + 4 + 4 + 8;
    for (byte[] t : texts) {
      size += 4 + t.length;
    }
    size += (long) c.ids().length * (8 + 4 + 4L * c.dimension());
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("gallery too large to save in one file: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(c.dimension());
    b.putInt(distance.length).put(distance).putInt(digest.length).put(digest);
    b.putLong(c.nextId()).putInt(texts.size()).putInt(c.ids().length);
    for (byte[] t : texts) {
      b.putInt(t.length).put(t);
    }
    int d = c.dimension();
    for (int r = 0; r < c.ids().length; r++) {
      b.putLong(c.ids()[r]).putInt(c.labelIndex()[r]);
      b.asFloatBuffer().put(c.rows(), r * d, d);
      b.position(b.position() + 4 * d);
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putLong(crc.getValue());
    return b.array();
  }

  /**
   * Reads a gallery file.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException naming the file if it is truncated, corrupted or not a gallery
   */
  static Contents read(byte[] bytes, String source) {
    if (bytes.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException(source + " is not a siamese-java gallery file");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    if (crc.getValue() != b.getLong(bytes.length - 8)) {
      throw new IllegalArgumentException(source + " is corrupted or truncated: its checksum does not match its contents");
    }
    try {
      b.position(MAGIC.length);
      b.limit(bytes.length - 8);
      int dim = b.getInt();
      check(dim >= 1, source, "declares embeddings of " + dim + " floats");
      String distance = text(b, source, "distance name");
      String digest = text(b, source, "model digest");
      long nextId = b.getLong();
      int labelCount = b.getInt();
      int rowCount = b.getInt();
      check(labelCount >= 0 && labelCount <= b.remaining() / 4, source, "declares " + labelCount + " labels");
      check(rowCount >= 0 && (long) rowCount * (12 + 4L * dim) <= b.remaining(), source,
          "declares " + rowCount + " embeddings, more than its " + b.remaining() + " bytes hold");
      List<String> labels = new ArrayList<>(labelCount);
      for (int i = 0; i < labelCount; i++) {
        labels.add(text(b, source, "label"));
      }
      long[] ids = new long[rowCount];
      int[] labelIndex = new int[rowCount];
      float[] rows = new float[Math.multiplyExact(rowCount, dim)];
      for (int r = 0; r < rowCount; r++) {
        ids[r] = b.getLong();
        labelIndex[r] = b.getInt();
        check(labelIndex[r] >= 0 && labelIndex[r] < labelCount, source, "names label " + labelIndex[r] + " of " + labelCount);
        check(ids[r] >= 0 && ids[r] < nextId, source, "holds id " + ids[r] + ", not below its next id " + nextId);
        // Rows are kept in enrolment order and ids only grow: anything else is a damaged file.
        check(r == 0 || ids[r] > ids[r - 1], source, "holds id " + ids[r] + " after id " + ids[Math.max(0, r - 1)]);
        b.asFloatBuffer().get(rows, r * dim, dim);
        b.position(b.position() + 4 * dim);
        for (int k = r * dim; k < (r + 1) * dim; k++) {
          check(Float.isFinite(rows[k]), source, "holds " + rows[k] + " in embedding " + ids[r]);
        }
      }
      check(!b.hasRemaining(), source, "has " + b.remaining() + " unexpected trailing bytes");
      return new Contents(dim, distance, digest, nextId, labels, ids, labelIndex, rows);
    } catch (BufferUnderflowException | ArithmeticException e) {
      throw new IllegalArgumentException(source + " is truncated or corrupted", e);
    }
  }

  private static String text(ByteBuffer b, String source, String what) {
    int n = b.getInt();
    check(n >= 0 && n <= MAX_TEXT && n <= b.remaining(), source, "declares a " + what + " of " + n + " bytes");
    byte[] t = new byte[n];
    b.get(t);
    return new String(t, StandardCharsets.UTF_8);
  }

  private static void check(boolean ok, String source, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(source + " is corrupted: it " + problem);
    }
  }
}
