package io.siamese.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The files under a directory, or the entries of a zip file read in place (nothing is extracted),
 * as {@code /}-separated relative paths, for the image loaders.
 *
 * <p>Hidden files and folders (a segment starting with {@code .}) and {@code __MACOSX} folders are
 * left out. A zip entry whose name could escape a directory if extracted ({@code ..} segments, an
 * absolute path, a drive letter, a backslash, an empty segment) or that appears twice is listed
 * with a {@linkplain Entry#problem() problem} instead of being read. Reading an entry stops one
 * byte past a cap, whatever size the zip declares, and a zip whose entries inflate to more than
 * {@value #MAX_INFLATION} times its own size (plus 64 MiB) is refused as a likely zip bomb.
 *
 * <p>Not thread-safe; close it to release the zip file.
 */
abstract class ImageSource implements Closeable {
  /** Total inflated bytes allowed per byte of zip file (images barely compress). */
  static final int MAX_INFLATION = 100;

  /**
   * One listed file.
   *
   * @param path {@code /}-separated path relative to the source's root
   * @param problem why the entry must not be read, or null
   */
  record Entry(String path, String problem) {}

  final Path root;

  private ImageSource(Path root) {
    this.root = root;
  }

  /**
   * A directory or a zip file.
   *
   * @throws IOException naming the path if it is neither, or the zip cannot be opened
   */
  static ImageSource open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return new Directory(path);
    }
    if (Files.isRegularFile(path)) {
      return new Zip(path);
    }
    throw new IOException(path + " is neither a zip file nor a directory");
  }

  /** The files, in no particular order; directories (also empty ones) in {@code directories}. */
  abstract List<Entry> entries(Set<String> directories) throws IOException;

  /**
   * The bytes of one entry.
   *
   * @throws IOException naming the entry if it cannot be read
   * @throws ImageDecoding.BadImage if it holds more than {@code maxBytes} bytes
   */
  abstract byte[] read(String path, long maxBytes) throws IOException;

  /** How messages name an entry: a file path, or {@code zip!entry}. */
  abstract String name(String path);

  static boolean ignored(String path) {
    for (String segment : path.split("/")) {
      if (segment.startsWith(".") || segment.equals("__MACOSX")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {}

  /** A zip that inflates far beyond its size: never skipped as one bad file. */
  static final class ZipBomb extends IOException {
    private static final long serialVersionUID = 1L;

    ZipBomb(String message) {
      super(message);
    }
  }

  private static final class Directory extends ImageSource {
    Directory(Path root) {
      super(root);
    }

    @Override
    List<Entry> entries(Set<String> directories) throws IOException {
      List<Entry> out = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (p.equals(root)) {
            continue;
          }
          String relative = root.relativize(p).toString().replace('\\', '/');
          if (ignored(relative)) {
            continue;
          }
          if (Files.isDirectory(p)) {
            directories.add(relative);
          } else if (Files.isRegularFile(p)) {
            out.add(new Entry(relative, null));
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new IOException(
            "cannot list directory " + root + ": " + ImageDecoding.describe(e), e);
      }
      return out;
    }

    @Override
    byte[] read(String path, long maxBytes) throws IOException {
      return ImageDecoding.readFile(root.resolve(path), maxBytes);
    }

    @Override
    String name(String path) {
      return root.resolve(path).toString();
    }
  }

  private static final class Zip extends ImageSource {
    private final ZipFile zip;
    private final long limit;
    private long inflated;

    Zip(Path file) throws IOException {
      super(file);
      try {
        this.zip = new ZipFile(file.toFile());
      } catch (IOException e) {
        throw new IOException("cannot read zip file " + file + ": " + ImageDecoding.describe(e), e);
      }
      this.limit = MAX_INFLATION * Files.size(file) + (64L << 20);
    }

    @Override
    List<Entry> entries(Set<String> directories) throws IOException {
      List<Entry> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      try {
        for (ZipEntry e : zip.stream().toList()) {
          String name = e.getName();
          String problem = unsafe(name);
          if (problem == null && !seen.add(name)) {
            problem = "appears twice in the zip";
          }
          String path = e.isDirectory() ? name.substring(0, name.length() - 1) : name;
          if (problem == null && ignored(path)) {
            continue;
          }
          if (problem == null && e.isDirectory()) {
            directories.add(path);
          } else if (!e.isDirectory() || problem != null) {
            out.add(new Entry(problem == null ? path : name, problem));
          }
        }
      } catch (RuntimeException e) {
        throw new IOException("cannot read zip file " + root + ": " + ImageDecoding.describe(e), e);
      }
      return out;
    }

    /** Why a name is hostile, or null: it must stay inside the folder it would be unpacked in. */
    private static String unsafe(String name) {
      if (name.isEmpty()
          || name.startsWith("/")
          || name.contains("\\")
          || name.indexOf('\0') >= 0
          || (name.length() > 1 && name.charAt(1) == ':')) {
        return "has an unsafe name (absolute, a drive letter, a backslash or a NUL)";
      }
      String body = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
      for (String segment : body.split("/", -1)) {
        if (segment.equals("..") || segment.isEmpty()) {
          return "has an unsafe name (a \"..\" or empty path segment)";
        }
      }
      return null;
    }

    @Override
    byte[] read(String path, long maxBytes) throws IOException {
      ZipEntry e = zip.getEntry(path);
      if (e == null) {
        throw new IOException("zip file " + root + " has no entry " + path);
      }
      if (e.getSize() > maxBytes) {
        ImageDecoding.checkFileSize(e.getSize(), maxBytes, name(path));
      }
      byte[] bytes;
      try (InputStream in = zip.getInputStream(e)) {
        bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      } catch (IOException | RuntimeException x) {
        throw new IOException("cannot read " + name(path) + ": " + ImageDecoding.describe(x), x);
      }
      if (bytes.length > maxBytes) {
        throw ImageDecoding.bad(
            name(path),
            String.format(
                Locale.ROOT,
                "inflates to more than the cap of %d bytes (ImageReader maxFileBytes), whatever the"
                    + " zip declares (%d)",
                maxBytes,
                e.getSize()),
            null);
      }
      inflated += bytes.length;
      if (inflated > limit) {
        throw new ZipBomb(
            String.format(
                Locale.ROOT,
                "zip file %s inflates to more than %d bytes, over %d times its size: refused as a"
                    + " likely zip bomb (unpack it and load the folder if it is genuine)",
                root,
                limit,
                MAX_INFLATION));
      }
      return bytes;
    }

    @Override
    String name(String path) {
      return root + "!" + path;
    }

    @Override
    public void close() throws IOException {
      zip.close();
    }
  }
}
