package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * A model's encoder as a TensorFlow SavedModel: tag {@code serve}, signature {@code
 * serving_default} with input {@code input} (float32, shape {@code [-1, inputShape...]}, channels
 * last) and output {@code embedding} (float32, {@code [-1, embeddingSize]}), plus the signature a
 * loss binding adds (the Koch head's {@code score}), and {@value #METADATA}: the {@link
 * EmbeddingSpace} of the embeddings (distance name, model digest), so that an {@link
 * SavedModelEmbedder} of the export makes embeddings of the model's own space. Written to a
 * sibling folder first and renamed into place, so a crash never leaves a half-written export under
 * the target.
 */
final class SavedModelExport {
  /** The export's metadata file beside {@code saved_model.pb}; TensorFlow ignores it. */
  static final String METADATA = "siamese.properties";

  private SavedModelExport() {}

  /**
   * @throws IllegalArgumentException if {@code directory} exists
   * @throws UncheckedIOException with the cause if it cannot be written
   */
  static void write(Path directory, Session session, ModelGraph graph, LossBinding binding, EmbeddingSpace space) {
    checkArgument(!Files.exists(directory), "%s already exists; export into a new directory", directory);
    Path parent = directory.toAbsolutePath().getParent();
    Path tmp = parent.resolve(directory.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(parent);
      List<Signature> signatures = new ArrayList<>();
      signatures.add(Signature.builder(Signature.DEFAULT_KEY).input("input", graph.input).output("embedding", graph.embedding).build());
      binding.exportSignature().ifPresent(signatures::add);
      SavedModelBundle.exporter(tmp.toString())
          .withSession(session)
          .withSignatures(signatures.toArray(new Signature[0]))
          .export();
      Properties p = new Properties();
      p.setProperty("format", "siamese-export/1");
      p.setProperty("distance", space.distance().name());
      p.setProperty("digest", space.modelDigest());
      p.setProperty("embeddingSize", Integer.toString(space.dimension()));
      try (OutputStream out = Files.newOutputStream(tmp.resolve(METADATA))) {
        p.store(out, "siamese-java export: the space of the embeddings this encoder makes");
      }
      Files.move(tmp, directory, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not export the encoder to " + directory + ": " + e, e);
    }
  }
}
