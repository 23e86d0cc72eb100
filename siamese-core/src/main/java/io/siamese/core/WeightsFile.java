package io.siamese.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The binary file of a saved model's variables ({@code weights.bin}): a magic number, then per
 * variable its name, shape and little-endian float32 values, then a CRC-32 of everything before
 * it, so that a truncated or corrupted file is detected before a single value is used.
 */
final class WeightsFile {
  private static final byte[] MAGIC = "SIAMWGT1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_RANK = 8;

  /** One variable's values, row-major. */
  record Entry(String name, long[] shape, float[] values) {}

  private WeightsFile() {}

  static byte[] write(List<Entry> entries) {
    long size = MAGIC.length + 4L + 8;
    for (Entry e : entries) {
      size += 2 + e.name().getBytes(StandardCharsets.UTF_8).length + 4 + 8L * e.shape().length + 4L * e.values().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("model too large to save in one file: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(entries.size());
    for (Entry e : entries) {
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      b.putShort((short) name.length).put(name).putInt(e.shape().length);
      for (long d : e.shape()) {
        b.putLong(d);
      }
      b.asFloatBuffer().put(e.values());
      b.position(b.position() + 4 * e.values().length);
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putLong(crc.getValue());
    return b.array();
  }

  /**
   * Reads a weights file.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException naming the file if it is truncated, corrupted or not a
   *     weights file
   */
  static List<Entry> read(byte[] bytes, String source) {
    if (bytes.length < MAGIC.length + 12
        || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException(source + " is not a siamese-java weights file");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    if (crc.getValue() != b.getLong(bytes.length - 8)) {
      throw new IllegalArgumentException(
          source + " is corrupted or truncated: its checksum does not match its contents");
    }
    try {
      b.position(MAGIC.length);
      b.limit(bytes.length - 8);
      int count = b.getInt();
      if (count < 0) {
        throw new IllegalArgumentException(source + " declares " + count + " variables");
      }
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[b.getShort() & 0xffff];
        b.get(name);
        int rank = b.getInt();
        if (rank < 0 || rank > MAX_RANK) {
          throw new IllegalArgumentException(source + " declares a variable of rank " + rank);
        }
        long[] shape = new long[rank];
        long n = 1;
        for (int k = 0; k < rank; k++) {
          shape[k] = b.getLong();
          if (shape[k] < 0) {
            throw new IllegalArgumentException(source + " declares a negative dimension");
          }
          n *= shape[k];
        }
        if (n * 4 > b.remaining()) {
          throw new IllegalArgumentException(source + " is truncated inside variable " + new String(name, StandardCharsets.UTF_8));
        }
        float[] values = new float[(int) n];
        b.asFloatBuffer().get(values);
        b.position(b.position() + 4 * values.length);
        entries.add(new Entry(new String(name, StandardCharsets.UTF_8), shape, values));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException(source + " has " + b.remaining() + " unexpected trailing bytes");
      }
      return entries;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(source + " is truncated", e);
    }
  }
}
