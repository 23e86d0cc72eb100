package io.siamese.core;

import io.siamese.core.internal.SnapshotDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved model's files in its crash-safe {@link SnapshotDirectory}: {@code model.properties} (the
 * {@link ModelDescription}) and {@code weights.bin} (every variable, {@link WeightsFile}).
 */
final class ModelFiles {
  static final String CONFIG_FILE = "model.properties";
  static final String WEIGHTS_FILE = "weights.bin";

  private ModelFiles() {}

  /** What a model directory holds, with the file names for error messages. */
  record Saved(ModelDescription description, List<WeightsFile.Entry> weights, String weightsSource) {}

  /**
   * Writes a new snapshot and makes it current.
   *
   * @throws UncheckedIOException with the cause if the directory cannot be written
   */
  static void write(Path directory, ModelDescription description, List<WeightsFile.Entry> weights) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(CONFIG_FILE, description.write().getBytes(StandardCharsets.UTF_8));
    files.put(WEIGHTS_FILE, WeightsFile.write(weights));
    try {
      new SnapshotDirectory(directory).write(files);
    } catch (IOException e) {
      throw new UncheckedIOException("could not save the model to " + directory + ": " + e, e);
    }
  }

  /**
   * Reads the current snapshot.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, or a file is
   *     truncated, corrupted or not a model's
   * @throws UncheckedIOException with the cause if the files cannot be read
   */
  static Saved read(Path directory) {
    SnapshotDirectory.Snapshot snapshot;
    try {
      snapshot = new SnapshotDirectory(directory).read(CONFIG_FILE, WEIGHTS_FILE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the model at " + directory + ": " + e, e);
    }
    Map<String, byte[]> files = snapshot.files();
    String configSource = snapshot.folder().resolve(CONFIG_FILE).toString();
    String weightsSource = snapshot.folder().resolve(WEIGHTS_FILE).toString();
    ModelDescription d = ModelDescription.read(new String(files.get(CONFIG_FILE), StandardCharsets.UTF_8), configSource);
    return new Saved(d, WeightsFile.read(files.get(WEIGHTS_FILE), weightsSource), weightsSource);
  }
}
