package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.internal.IoMessages;
import io.siamese.data.ImageReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * A model's encoder as a TensorFlow SavedModel: the {@link InferenceGraph} only (the encoder's
 * inference ops and weights, the Koch head's score; no loss, gradients or optimizer slots), tag
 * {@code serve}, signature {@code serving_default} from {@code input} to {@code embedding} plus the
 * binding's ({@code score}), its MetaGraph stamped with the TensorFlow version that wrote it; and
 * beside it {@value #METADATA}: the {@link EmbeddingSpace} of the embeddings (distance name, model
 * digest) and the model's operating points, so that a {@link SavedModelEmbedder} of the export
 * makes embeddings of the model's own space. Written to a sibling folder first and renamed into
 * place, so a crash never leaves a half-written export under the target.
 */
final class SavedModelExport {
  /** The export's metadata file beside {@code saved_model.pb}; TensorFlow ignores it. */
  static final String METADATA = "siamese.properties";

  private SavedModelExport() {}

  /**
   * @param binding makes a binding of the model's loss for the export's own graph
   * @param weights the values of the inference graph's variables
   * @throws IllegalArgumentException if {@code directory} exists
   * @throws UncheckedIOException with the cause if it cannot be written
   */
  static void write(
      Path directory, EncoderSpec encoder, Supplier<LossBinding> binding, long seed, List<WeightsFile.Entry> weights,
      EmbeddingSpace space, List<OperatingPoint> points, java.util.Optional<ImageReader> preprocessing) {
    checkArgument(!Files.exists(directory), "%s already exists; export into a new directory", directory);
    Path parent = directory.toAbsolutePath().getParent();
    Path tmp = parent.resolve(directory.getFileName() + ".tmp-" + UUID.randomUUID());
    LossBinding exported = binding.get();
    GraphSession.Built<InferenceGraph> built =
        GraphSession.create(SessionConfig.DEFAULT, "export", g -> new InferenceGraph(g, encoder, exported, seed), false);
    try (GraphSession session = built.session()) {
      InferenceGraph graph = built.graph();
      session.use(() -> {
        graph.variables.write(session.session(), weights, "the model's weights");
        return null;
      });
      Files.createDirectories(parent);
      List<Signature> signatures = new ArrayList<>();
      signatures.add(Signature.builder(Signature.DEFAULT_KEY).input("input", graph.input).output("embedding", graph.embedding).build());
      exported.exportSignature().ifPresent(signatures::add);
      SavedModelBundle.exporter(tmp.toString())
          .withSession(session.session())
          .withSignatures(signatures.toArray(new Signature[0]))
          .export();
      stampVersion(tmp.resolve("saved_model.pb"));
      writeMetadata(tmp.resolve(METADATA), space, points, preprocessing);
      Files.move(tmp, directory, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("could not export the encoder to " + directory + ": " + IoMessages.reason(e), e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /** Records the TensorFlow version in every MetaGraph, as Python TensorFlow does and TF Java does not. */
  private static void stampVersion(Path savedModel) throws IOException {
    SavedModel model;
    try (InputStream in = Files.newInputStream(savedModel)) {
      model = SavedModel.parseFrom(in);
    }
    SavedModel.Builder b = model.toBuilder();
    for (MetaGraphDef.Builder meta : b.getMetaGraphsBuilderList()) {
      meta.getMetaInfoDefBuilder().setTensorflowVersion(TensorFlow.version());
    }
    try (OutputStream out = Files.newOutputStream(savedModel)) {
      b.build().writeTo(out);
    }
  }

  private static void writeMetadata(
      Path file, EmbeddingSpace space, List<OperatingPoint> points, java.util.Optional<ImageReader> preprocessing) throws IOException {
    Properties p = new Properties();
    p.setProperty("format", "siamese-export/1");
    p.setProperty("distance", space.distance().name());
    p.setProperty("digest", space.modelDigest());
    p.setProperty("embeddingSize", Integer.toString(space.dimension()));
    p.setProperty("tensorflow", TensorFlow.version());
    if (space.distance() instanceof KochHead head) {
      p.setProperty("head.alpha", KochHeadText.alpha(head));
      p.setProperty("head.bias", Float.toString(head.bias()));
    }
    for (OperatingPoint o : points) {
      p.setProperty("threshold." + o.name(), o.describe());
    }
    preprocessing.ifPresent(r -> p.setProperty("preprocessing", r.describe()));
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, "siamese-java export: the space of the embeddings this encoder makes");
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException ignored) {
      // Best effort: the failure being reported matters more than a leftover temporary folder.
    }
  }
}
