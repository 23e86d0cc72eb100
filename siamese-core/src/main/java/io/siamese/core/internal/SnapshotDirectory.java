package io.siamese.core.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A directory that holds one saved model (or gallery) and survives a crash in the middle of replacing it.
 *
 * <p>Each save writes a new {@code snapshot-*} folder and syncs it to disk, then atomically
 * replaces the small {@code CURRENT} file that names the folder to load, and only then deletes
 * older snapshots. A process killed at any point leaves {@code CURRENT} naming a complete snapshot:
 * the previous one, or the new one.
 *
 * <p>Not API: shared by siamese-java's own persistence (models, galleries).
 */
public final class SnapshotDirectory {
  public static final String CURRENT = "CURRENT";
  private static final String PREFIX = "snapshot-";

  private final Path root;

  public SnapshotDirectory(Path root) {
    this.root = root;
  }

  /** Writes {@code files} (name to contents) as the new current snapshot. */
  public void write(Map<String, byte[]> files) throws IOException {
    Files.createDirectories(root);
    String name = PREFIX + System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path snapshot = root.resolve(name);
    Files.createDirectory(snapshot);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      writeSynced(snapshot.resolve(f.getKey()), f.getValue());
    }
    syncDirectory(snapshot);
    Path tmp = root.resolve(CURRENT + ".tmp");
    writeSynced(tmp, (name + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, root.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(root);
    deleteOtherSnapshots(name);
  }

  /** The files of one snapshot, and the folder they were read from (for error messages). */
  public record Snapshot(Path folder, Map<String, byte[]> files) {}

  /**
   * Reads the current snapshot's files, each at most {@code Integer.MAX_VALUE - 8} bytes.
   *
   * @throws IllegalArgumentException naming the path if there is no saved model there
   */
  public Snapshot read(String... names) throws IOException {
    Map<String, Long> caps = new LinkedHashMap<>();
    for (String n : names) {
      caps.put(n, (long) Integer.MAX_VALUE - 8);
    }
    return read(caps, Map.of());
  }

  /**
   * Reads the current snapshot's files: each of {@code required} (name to the most bytes it may
   * have) must be there, each of {@code optional} may be. The size is checked before a file is
   * read, so a file that a crash or a hostile edit made huge is refused, not read into memory.
   *
   * @throws IllegalArgumentException naming the path if there is no saved model there, a required
   *     file is missing, or a file is larger than its cap
   */
  public Snapshot read(Map<String, Long> required, Map<String, Long> optional) throws IOException {
    Path current = root.resolve(CURRENT);
    String name;
    try {
      name = Files.readString(current, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no saved model at " + root + ": " + current + " does not exist", e);
    }
    if (!name.startsWith(PREFIX) || name.contains("/") || name.contains("\\") || name.contains("..")) {
      throw new IllegalArgumentException(current + " is corrupted: it names '" + name + "'");
    }
    Path snapshot = root.resolve(name);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Map.Entry<String, Long> file : required.entrySet()) {
      Path p = snapshot.resolve(file.getKey());
      if (!Files.exists(p)) {
        throw new IllegalArgumentException("saved model at " + root + " is incomplete: " + p + " is missing");
      }
      files.put(file.getKey(), readCapped(p, file.getValue()));
    }
    for (Map.Entry<String, Long> file : optional.entrySet()) {
      Path p = snapshot.resolve(file.getKey());
      if (Files.exists(p)) {
        files.put(file.getKey(), readCapped(p, file.getValue()));
      }
    }
    return new Snapshot(snapshot, files);
  }

  private static byte[] readCapped(Path p, long maxBytes) throws IOException {
    long size = Files.size(p);
    if (size > maxBytes) {
      throw new IllegalArgumentException(p + " is " + size + " bytes, more than the " + maxBytes + " such a file may have");
    }
    return Files.readAllBytes(p);
  }

  /** The folder of the current snapshot, for error messages. */
  public Path root() {
    return root;
  }

  private void deleteOtherSnapshots(String keep) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path p : entries) {
        if (!p.getFileName().toString().equals(keep)) {
          deleteRecursively(p);
        }
      }
    } catch (IOException e) {
      // The new snapshot is already current; an old one left behind wastes space, nothing more.
      System.getLogger(SnapshotDirectory.class.getName())
          .log(System.Logger.Level.WARNING, "could not delete an old snapshot in " + root, e);
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void writeSynced(Path path, byte[] bytes) throws IOException {
    try (FileChannel c =
        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the new names durable on Linux; other systems may refuse to open a directory.
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      System.getLogger(SnapshotDirectory.class.getName())
          .log(System.Logger.Level.DEBUG, "could not sync directory " + dir, e);
    }
  }
}
