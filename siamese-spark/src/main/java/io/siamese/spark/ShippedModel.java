package io.siamese.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of one SavedModel directory, read into memory on the driver and shipped to the
 * executors in a broadcast variable, with the SHA-256 digest that names the model in the executor
 * cache. Shipping the bytes, rather than a path, works the same in local mode and on a cluster
 * whose executors cannot see the driver's disk.
 */
final class ShippedModel implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Largest model shipped: a broadcast variable and a Java array hold at most about 2 GB, and the
   * model's bytes stay in every executor's block manager while the broadcast lives.
   */
  static final long MAX_BYTES = 1L << 30;

  private final String digest;
  private final LinkedHashMap<String, byte[]> files;

  private ShippedModel(String digest, LinkedHashMap<String, byte[]> files) {
    this.digest = digest;
    this.files = files;
  }

  /**
   * Reads every regular file under {@code directory}.
   *
   * @throws IllegalArgumentException naming the directory if it holds no {@code saved_model.pb} or
   *     more than {@link #MAX_BYTES}
   * @throws UncheckedIOException if a file cannot be read
   */
  static ShippedModel read(Path directory) {
    checkArgument(
        Files.isRegularFile(directory.resolve("saved_model.pb")),
        "%s holds no SavedModel (no saved_model.pb); export one with SiameseModel.exportSavedModel",
        directory);
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(directory)) {
      paths = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the SavedModel in " + directory + ": " + e.getMessage(), e);
    }
    Collections.sort(paths);
    long total = 0;
    LinkedHashMap<String, byte[]> files = new LinkedHashMap<>();
    for (Path p : paths) {
      try {
        total += Files.size(p);
        checkArgument(total <= MAX_BYTES, "the SavedModel in %s is over %s bytes; siamese-spark ships models up to 1 GiB", directory, MAX_BYTES);
        files.put(relativeName(directory, p), Files.readAllBytes(p));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
      }
    }
    return new ShippedModel(digest(files), files);
  }

  /** Lowercase hex SHA-256 of the SavedModel's files (names and contents). */
  static String digest(Path directory) {
    return read(directory).digest();
  }

  private static String relativeName(Path root, Path file) {
    // '/' on every platform, so that the digest does not depend on the driver's OS.
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static String digest(Map<String, byte[]> files) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
      // Lengths before contents: no two different file sets hash the same stream.
      sha.update(longBytes(name.length));
      sha.update(name);
      sha.update(longBytes(f.getValue().length));
      sha.update(f.getValue());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return b;
  }

  /** Lowercase hex SHA-256 of the files' names and contents. */
  String digest() {
    return digest;
  }

  /** Total bytes of the files. */
  long bytes() {
    long n = 0;
    for (byte[] b : files.values()) {
      n += b.length;
    }
    return n;
  }

  /**
   * Writes the files under a new directory inside {@code parent} and returns it.
   *
   * @throws UncheckedIOException if they cannot be written
   */
  Path writeUnder(Path parent) {
    try {
      Files.createDirectories(parent);
      Path dir = Files.createTempDirectory(parent, "siamese-model-" + digest.substring(0, 16) + "-");
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path target = dir.resolve(f.getKey()).normalize();
        // Names come from our own driver, but a path outside dir would still be a bug worth a clear stop.
        checkArgument(target.startsWith(dir), "model file name %s leaves the model directory", f.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, f.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the SavedModel " + digest + " under " + parent + ": " + e.getMessage(), e);
    }
  }
}
