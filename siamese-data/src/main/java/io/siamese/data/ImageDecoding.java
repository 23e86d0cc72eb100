package io.siamese.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG, BMP and GIF bytes with {@code javax.imageio}, refusing what ImageIO would
 * otherwise accept silently or fail on badly:
 *
 * <ul>
 *   <li>the declared size is read from the header before any pixel is decoded and compared with a
 *       pixel cap, so a small file declaring 20000 x 20000 pixels allocates nothing;
 *   <li>a decoder warning is an error (the JPEG decoder fills a truncated file with grey and only
 *       warns, "Premature end of JPEG file");
 *   <li>PNG: every chunk's CRC is checked and the file must reach its IEND chunk (ImageIO ignores
 *       both, so a file cut after its image data, or a damaged header, decodes silently);
 *   <li>GIF: the file must end with the trailer byte {@code 0x3B} (trailing zero bytes allowed).
 * </ul>
 *
 * Every failure is an {@link IllegalArgumentException} whose message starts with the name given
 * and whose cause is the decoder's exception, if any. Stateless and thread-safe.
 */
final class ImageDecoding {
  private ImageDecoding() {}

  /** ImageIO format names accepted; others (WBMP has no magic number, TIFF) are refused. */
  private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp", "gif");

  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
  };

  /**
   * Reads a file's bytes, refusing files larger than {@code maxBytes} before reading them.
   *
   * @throws IOException naming the file, with the system's reason, if it cannot be read
   * @throws IllegalArgumentException if it is larger than {@code maxBytes}
   */
  static byte[] readFile(Path file, long maxBytes) throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new IOException("cannot read image " + file + ": " + describe(e), e);
    }
    checkFileSize(size, maxBytes, file.toString());
    try (InputStream in = Files.newInputStream(file)) {
      // At most one byte past the cap, in case the file grew since its size was read.
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      checkFileSize(bytes.length, maxBytes, file.toString());
      return bytes;
    } catch (IOException e) {
      throw new IOException("cannot read image " + file + ": " + describe(e), e);
    }
  }

  static void checkFileSize(long size, long maxBytes, String name) {
    if (size > maxBytes) {
      throw bad(
          name,
          String.format(
              Locale.ROOT,
              "is %d bytes, more than the cap of %d bytes (ImageReader maxFileBytes)",
              size,
              maxBytes),
          null);
    }
  }

  /** An exception's class and message, for messages that must carry the system's reason. */
  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /**
   * Decodes the first image in {@code bytes}.
   *
   * @param name how messages name the image (a file path, a zip entry)
   * @param maxPixels the largest {@code width * height} decoded
   * @throws IllegalArgumentException naming the image if it is not a PNG, JPEG, BMP or GIF,
   *     declares more than {@code maxPixels} pixels, or is truncated or corrupt
   */
  static BufferedImage decode(byte[] bytes, String name, long maxPixels) {
    ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    javax.imageio.ImageReader reader = null;
    try {
      Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
      while (readers.hasNext()) {
        javax.imageio.ImageReader r = readers.next();
        if (FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
          reader = r;
          break;
        }
      }
      if (reader == null) {
        throw bad(name, "is not a PNG, JPEG, BMP or GIF image (its first bytes match none)", null);
      }
      String format = reader.getFormatName().toLowerCase(Locale.ROOT);
      if (format.equals("png")) {
        // Before the header is trusted: a damaged IHDR could declare any size.
        checkPngChunks(bytes, name);
      } else if (format.equals("gif")) {
        checkGifTrailer(bytes, name);
      }
      reader.setInput(in, true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      if (width <= 0 || height <= 0) {
        throw bad(name, "declares an empty size " + width + "x" + height, null);
      }
      if ((long) width * height > maxPixels) {
        throw bad(
            name,
            String.format(
                Locale.ROOT,
                "declares %dx%d = %d pixels, more than the cap of %d (ImageReader maxPixels); it was"
                    + " not decoded",
                width,
                height,
                (long) width * height,
                maxPixels),
            null);
      }
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw bad(name, "is truncated or corrupt: the " + format + " decoder warned " + warnings, null);
      }
      return image;
    } catch (BadImage e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw bad(name, "cannot be decoded (truncated or corrupt?): " + describe(e), e);
    } finally {
      if (reader != null) {
        reader.dispose();
      }
      try {
        in.close();
      } catch (IOException ignored) {
        // An in-memory stream holds nothing to release.
      }
    }
  }

  static BadImage bad(String name, String what, Throwable cause) {
    return new BadImage("image " + name + " " + what, cause);
  }

  /** The file's content is at fault (not the file system): a loader may skip it when asked. */
  static final class BadImage extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadImage(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Walks the chunks: each CRC must match, and the file must reach IEND. */
  static void checkPngChunks(byte[] b, String name) {
    int p = PNG_SIGNATURE.length;
    CRC32 crc = new CRC32();
    while (true) {
      if (b.length - p < 12) {
        throw bad(name, "is truncated: it ends at byte " + b.length + " before its IEND chunk", null);
      }
      long length = readInt(b, p) & 0xffffffffL;
      String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > b.length - p - 12L) {
        throw bad(
            name,
            String.format(
                Locale.ROOT,
                "is truncated: chunk %s at byte %d declares %d bytes, but only %d remain",
                type,
                p,
                length,
                b.length - p - 12L),
            null);
      }
      crc.reset();
      crc.update(b, p + 4, (int) length + 4);
      long stored = readInt(b, p + 8 + (int) length) & 0xffffffffL;
      if (crc.getValue() != stored) {
        throw bad(
            name,
            String.format(Locale.ROOT, "is corrupt: chunk %s at byte %d fails its CRC check", type, p),
            null);
      }
      p += 12 + (int) length;
      if (type.equals("IEND")) {
        return;
      }
    }
  }

  private static int readInt(byte[] b, int p) {
    return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
  }

  private static void checkGifTrailer(byte[] b, String name) {
    int end = b.length - 1;
    while (end > 0 && b[end] == 0) {
      end--;
    }
    if (b[end] != 0x3B) {
      throw bad(name, "is truncated: a GIF must end with the trailer byte 0x3B", null);
    }
  }
}
