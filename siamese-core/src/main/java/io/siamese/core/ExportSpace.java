package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.data.ImageReader;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The {@link EmbeddingSpace} and operating points of an exported encoder, from its metadata or,
 * failing that (an export made by other tools), its files.
 */
final class ExportSpace {
  /** What an export says of itself. */
  record Metadata(EmbeddingSpace space, List<OperatingPoint> points, java.util.Optional<ImageReader> preprocessing) {}

  private static final System.Logger LOG = System.getLogger(ExportSpace.class.getName());

  private ExportSpace() {}

  /**
   * What the export in {@code directory} says of itself, read without TensorFlow: its metadata file,
   * and where that is missing, the embedding size from the serving signature in {@code
   * saved_model.pb} and a digest of its files (Euclidean distance).
   *
   * @param bundle the loaded export, for the Koch head of an export whose metadata lacks it; may be null
   */
  static Metadata read(Path directory, SavedModelBundle bundle) {
    Path metadata = directory.resolve(SavedModelExport.METADATA);
    Properties p = new Properties();
    if (Files.isRegularFile(metadata)) {
      checkArgument(size(metadata) <= ModelFiles.MAX_CONFIG_BYTES, "%s is larger than %s bytes", metadata, ModelFiles.MAX_CONFIG_BYTES);
      try (InputStream in = Files.newInputStream(metadata)) {
        p.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("could not read " + metadata + ": " + e, e);
      }
    }
    int embeddingSize = p.getProperty("embeddingSize") != null
        ? LayerText.bounded(p.getProperty("embeddingSize"), LayerText.MAX_UNITS, "embeddingSize")
        : SavedModelGuard.embeddingSize(directory);
    String digest = p.getProperty("digest");
    if (digest == null || digest.isBlank()) {
      digest = filesDigest(directory);
      LOG.log(System.Logger.Level.DEBUG, "{0} has no siamese-java metadata; its embeddings are identified by its files", directory);
    }
    Distance distance;
    if (p.getProperty("head.alpha") != null) {
      distance = KochHeadText.parse(p.getProperty("head.alpha"), p.getProperty("head.bias", "0"), embeddingSize);
    } else if (bundle != null && headOf(bundle).isPresent()) {
      distance = headOf(bundle).get();
    } else if ("koch_head".equals(p.getProperty("distance"))) {
      throw new IllegalArgumentException(directory + " holds a Koch head whose weights its metadata lacks; open it with SavedModelEmbedder");
    } else {
      distance = Distances.byName(p.getProperty("distance", Distances.EUCLIDEAN.name()));
    }
    List<OperatingPoint> points = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      if (key.startsWith("threshold.") && points.size() < ModelDescription.MAX_POINTS) {
        points.add(OperatingPoint.parse(key.substring("threshold.".length()), p.getProperty(key)));
      }
    }
    java.util.Optional<ImageReader> reader =
        java.util.Optional.ofNullable(p.getProperty("preprocessing")).map(ImageReader::parse);
    return new Metadata(new EmbeddingSpace(embeddingSize, distance, digest), List.copyOf(points), reader);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e, e);
    }
  }

  /** The Koch head of an export that has one, with the weights it was exported with. */
  private static java.util.Optional<Distance> headOf(SavedModelBundle bundle) {
    if (bundle.graph().operation("head_alpha") == null || bundle.graph().operation("head_bias") == null) {
      return java.util.Optional.empty();
    }
    try (Result r = bundle.session().runner().fetch("head_alpha").fetch("head_bias").run()) {
      TFloat32 a = (TFloat32) r.get(0);
      float[] alpha = new float[(int) a.shape().size()];
      a.copyTo(DataBuffers.of(alpha, false, false));
      return java.util.Optional.of(new KochHead(alpha, ((TFloat32) r.get(1)).getFloat()));
    }
  }

  /** SHA-256 of {@code saved_model.pb} and the variables' files, in name order. */
  private static String filesDigest(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path f : files) {
        md.update(directory.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(Files.readAllBytes(f));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + directory + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
