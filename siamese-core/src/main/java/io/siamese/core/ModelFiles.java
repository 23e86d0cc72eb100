package io.siamese.core;

import io.siamese.core.internal.IoMessages;
import io.siamese.core.internal.SnapshotDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved model's files in its crash-safe {@link SnapshotDirectory}: {@code model.properties} (the
 * {@link ModelDescription}), {@code model.properties.sha256} (its checksum, so that an edited or
 * damaged description is caught: {@code weights.bin} has a CRC of its own) and {@code weights.bin}
 * (every variable, {@link WeightsFile}). Reading checks sizes before reading and the checksum
 * before parsing; saves written before the checksum existed load without it.
 */
final class ModelFiles {
  static final String CONFIG_FILE = "model.properties";
  static final String CHECKSUM_FILE = "model.properties.sha256";
  static final String WEIGHTS_FILE = "weights.bin";
  /** The largest {@code model.properties} read: a real one is a few kilobytes. */
  static final long MAX_CONFIG_BYTES = 1 << 20;

  private ModelFiles() {}

  /** What a model directory holds, with the file names for error messages. */
  record Saved(ModelDescription description, List<WeightsFile.Entry> weights, String weightsSource) {}

  /**
   * Writes a new snapshot and makes it current.
   *
   * @throws UncheckedIOException with the cause if the directory cannot be written
   */
  static void write(Path directory, ModelDescription description, List<WeightsFile.Entry> weights) {
    byte[] config = description.write().getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(CONFIG_FILE, config);
    files.put(CHECKSUM_FILE, (sha256(config) + "\n").getBytes(StandardCharsets.US_ASCII));
    files.put(WEIGHTS_FILE, WeightsFile.write(weights));
    try {
      new SnapshotDirectory(directory).write(files);
    } catch (IOException e) {
      throw new UncheckedIOException("could not save the model to " + directory + ": " + IoMessages.reason(e), e);
    }
  }

  /**
   * Reads the current snapshot.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, or a file is too
   *     large, truncated, corrupted, edited or not a model's
   * @throws UncheckedIOException with the cause if the files cannot be read
   */
  static Saved read(Path directory) {
    SnapshotDirectory.Snapshot snapshot;
    try {
      snapshot =
          new SnapshotDirectory(directory)
              .read(
                  Map.of(CONFIG_FILE, MAX_CONFIG_BYTES, WEIGHTS_FILE, (long) Integer.MAX_VALUE - 8),
                  Map.of(CHECKSUM_FILE, 1024L));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the model at " + directory + ": " + IoMessages.reason(e), e);
    }
    Map<String, byte[]> files = snapshot.files();
    String configSource = snapshot.folder().resolve(CONFIG_FILE).toString();
    byte[] config = files.get(CONFIG_FILE);
    byte[] checksum = files.get(CHECKSUM_FILE);
    if (checksum != null && !new String(checksum, StandardCharsets.US_ASCII).trim().equals(sha256(config))) {
      throw new IllegalArgumentException(
          configSource + " does not match its checksum " + snapshot.folder().resolve(CHECKSUM_FILE)
              + ": it was edited or damaged after the save");
    }
    String weightsSource = snapshot.folder().resolve(WEIGHTS_FILE).toString();
    ModelDescription d = ModelDescription.read(new String(config, StandardCharsets.UTF_8), configSource);
    return new Saved(d, WeightsFile.read(files.get(WEIGHTS_FILE), weightsSource), weightsSource);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
