package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.data.ImageReader;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.LossDescriptions;
import io.siamese.losses.PairLoss;
import io.siamese.losses.TripletLoss;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration that rebuilds a model, as a small text file ({@code model.properties}): the
 * encoder's layers, the embedding size, the loss and its distance, the optimizer with its
 * learning-rate schedule, the seed, the number of training steps so far and the operating points.
 * Text, so that a person can read what a saved model is.
 *
 * <p>Reading treats the file as untrusted: numbers are checked against {@link LayerText}'s caps and
 * counts against {@link #MAX_LAYERS} and {@link #MAX_POINTS} before anything is built. Files of
 * the first format ({@code siamese-model/1}) load: their optional entries ({@code
 * optimizer.schedule}, {@code steps}, {@code distance}, {@code embeddingSize}) take their defaults.
 */
final class ModelDescription {
  static final String FORMAT = "siamese-model/2";
  private static final String FORMAT_1 = "siamese-model/1";
  static final int MAX_LAYERS = 512;
  static final int MAX_POINTS = 64;

  final EncoderSpec encoder;
  /** The loss rebuilt from its description; empty for a loss this codec does not know (the caller must then supply it). */
  final Optional<Object> loss;
  /** Whether the loss is the Koch head, whose weights are part of the model. */
  final boolean koch;
  final String lossDescription;
  /** The loss's class, named in the message when the caller must supply it. */
  final String lossClass;
  /** The distance of inference, by name; empty when it is one of the caller's own. */
  final Optional<Distance> distance;
  final OptimizerSpec optimizer;
  final long seed;
  /** Training steps applied before the save. */
  final long steps;
  final List<OperatingPoint> operatingPoints;
  /** How the model's images are read, if it keeps that ({@link ImageReader#describe()}). */
  final Optional<ImageReader> preprocessing;
  /** The rate written for a schedule of the caller's own, which cannot be written; NaN when read. */
  private final double customRate;

  private ModelDescription(
      EncoderSpec encoder, Optional<Object> loss, boolean koch, String lossDescription, String lossClass,
      Optional<Distance> distance, OptimizerSpec optimizer, long seed, long steps, List<OperatingPoint> points,
      Optional<ImageReader> preprocessing, double customRate) {
    this.encoder = encoder;
    this.loss = loss;
    this.koch = koch;
    this.lossDescription = lossDescription;
    this.lossClass = lossClass;
    this.distance = distance;
    this.optimizer = optimizer;
    this.seed = seed;
    this.steps = steps;
    this.operatingPoints = List.copyOf(points);
    this.preprocessing = preprocessing;
    this.customRate = customRate;
  }

  /**
   * A description to write.
   *
   * @param distance the distance of inference
   * @param customRate the rate to keep if the optimizer's schedule is the caller's own
   */
  static ModelDescription of(
      EncoderSpec encoder, Object loss, Distance distance, OptimizerSpec optimizer, long seed, long steps,
      List<OperatingPoint> points, Optional<ImageReader> preprocessing, double customRate) {
    return new ModelDescription(
        encoder, Optional.of(loss), loss instanceof KochPairHeadLoss, loss.toString(), loss.getClass().getName(),
        Optional.of(distance), optimizer, seed, steps, points, preprocessing, customRate);
  }

  String write() {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("input", LayerText.shape(encoder.inputShape()));
    for (int i = 0; i < encoder.layers().size(); i++) {
      p.setProperty("layer." + i, LayerText.layer(encoder.layers().get(i)));
    }
    p.setProperty("embeddingSize", Integer.toString(encoder.embeddingSize()));
    p.setProperty("loss", loss.flatMap(LossDescriptions::describe).orElse("custom"));
    p.setProperty("loss.class", lossClass);
    p.setProperty("loss.description", lossDescription);
    distance.ifPresent(d -> p.setProperty("distance", d.name()));
    p.setProperty("optimizer", describe(optimizer, customRate));
    describeSchedule(optimizer).ifPresent(s -> p.setProperty("optimizer.schedule", s));
    if (describeSchedule(optimizer).isEmpty() && !optimizer.isConstant()) {
      // For the reader only: the model loads with the constant rate of the "optimizer" entry.
      p.setProperty("optimizer.schedule.custom", optimizer.schedule().toString());
    }
    p.setProperty("seed", Long.toString(seed));
    p.setProperty("steps", Long.toString(steps));
    for (OperatingPoint o : operatingPoints) {
      p.setProperty("threshold." + o.name(), o.describe());
    }
    preprocessing.ifPresent(r -> p.setProperty("preprocessing", r.describe()));
    StringWriter w = new StringWriter();
    try {
      p.store(w, "siamese-java model configuration");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /**
   * Parses what {@link #write()} wrote.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException naming the file and the bad entry
   */
  static ModelDescription read(String text, String source) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not a model configuration: " + e.getMessage(), e);
    }
    try {
      String format = p.getProperty("format");
      checkArgument(FORMAT.equals(format) || FORMAT_1.equals(format), "format is %s, expected %s", format, FORMAT);
      EncoderSpec.Builder b = EncoderSpec.builder(LayerText.parseShape(required(p, "input")));
      int layers = 0;
      for (; p.getProperty("layer." + layers) != null; layers++) {
        checkArgument(layers < MAX_LAYERS, "more than %s layers", MAX_LAYERS);
        b.add(LayerText.parseLayer(p.getProperty("layer." + layers)));
      }
      EncoderSpec encoder = b.build();
      String size = p.getProperty("embeddingSize");
      checkArgument(
          size == null || size.equals(Integer.toString(encoder.embeddingSize())),
          "embeddingSize is %s, but the layers make embeddings of %s", size, encoder.embeddingSize());
      String lossText = required(p, "loss");
      Optional<Object> loss = lossText.equals("custom") ? Optional.empty() : Optional.of(LossDescriptions.parse(lossText));
      String distanceName = p.getProperty("distance");
      Optional<Distance> distance =
          distanceName != null ? knownDistance(distanceName) : loss.flatMap(ModelDescription::distanceOf);
      long steps = parseLong(p.getProperty("steps", "0"), "steps");
      checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
      return new ModelDescription(
          encoder, loss, loss.orElse(null) instanceof KochPairHeadLoss, p.getProperty("loss.description", ""),
          p.getProperty("loss.class", "an unknown class"), distance,
          parseOptimizer(required(p, "optimizer"), p.getProperty("optimizer.schedule")),
          parseLong(required(p, "seed"), "seed"), steps, operatingPoints(p), preprocessing(p, encoder), Double.NaN);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " holds a bad model configuration: " + e.getMessage(), e);
    }
  }

  private static List<OperatingPoint> operatingPoints(Properties p) {
    List<OperatingPoint> points = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      if (!key.startsWith("threshold.")) {
        continue;
      }
      checkArgument(points.size() < MAX_POINTS, "more than %s operating points", MAX_POINTS);
      points.add(OperatingPoint.parse(key.substring("threshold.".length()), p.getProperty(key)));
    }
    return points;
  }

  private static Optional<ImageReader> preprocessing(Properties p, EncoderSpec encoder) {
    String text = p.getProperty("preprocessing");
    if (text == null) {
      return Optional.empty();
    }
    ImageReader reader = ImageReader.parse(text);
    checkArgument(reader.shape().equals(encoder.inputShape()), "preprocessing makes %s inputs, the encoder takes %s", reader.shape(), encoder.inputShape());
    return Optional.of(reader);
  }

  /** The distance a ready-made loss compares with, for files written before {@code distance} was. */
  private static Optional<Distance> distanceOf(Object loss) {
    if (loss instanceof PairLoss l) {
      return Optional.of(l.distance());
    } else if (loss instanceof BatchLoss l) {
      return Optional.of(l.distance());
    } else if (loss instanceof TripletLoss l) {
      return Optional.of(l.distance());
    } else if (loss instanceof LearnedParameterLoss l) {
      return Optional.of(l.distance());
    }
    return Optional.empty(); // the Koch head: its distance is in its weights
  }

  private static Optional<Distance> knownDistance(String name) {
    try {
      return Optional.of(Distances.byName(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // one of the caller's own (or the Koch head's): only a full load rebuilds it
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    checkArgument(v != null, "missing entry '%s'", key);
    return v;
  }

  private static long parseLong(String text, String what) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a whole number", e);
    }
  }

  /**
   * The loss a loaded model trains with: {@code given} if not null, else the one described.
   *
   * @throws IllegalArgumentException if the model has the Koch head and another loss is given, or
   *     its loss is a custom one and none is given
   */
  Object chooseLoss(Object given, Path directory) {
    if (koch) {
      checkArgument(
          given == null,
          "%s was trained with the Koch pair head (%s), whose weights are part of the model; load it with load(directory)",
          directory,
          lossDescription);
      return loss.orElseThrow();
    }
    if (given != null) {
      return given;
    }
    return loss.orElseThrow(() -> new IllegalArgumentException(
        directory + " was trained with a custom loss (" + lossDescription + ", class " + lossClass
            + "); pass an instance to load(directory, loss), or use loadForInference(directory) to embed only"));
  }

  /**
   * A one-line description that {@link #parseOptimizer} reads back, e.g. {@code adam 0.001 0.0}:
   * the kind, a rate and the momentum. The rate is the first step's, or {@code customRate} for a
   * schedule of the caller's own, which cannot be written down: the model passes the rate of its
   * last step, and a loaded model goes on at that rate. A ready-made schedule is described apart
   * ({@link #describeSchedule}), so files written before schedules existed read the same.
   */
  static String describe(OptimizerSpec optimizer, double customRate) {
    double rate;
    if (LearningRateSchedule.describe(optimizer.schedule()).isPresent()) {
      rate = optimizer.schedule().rate(0);
    } else {
      // A schedule may end at 0, which a constant rate may not be: the smallest float is as still.
      rate = Double.isFinite(customRate) && customRate > 0 ? Math.max(customRate, Float.MIN_NORMAL) : Float.MIN_NORMAL;
    }
    return optimizer.kind().name().toLowerCase(Locale.ROOT) + " " + rate + " " + optimizer.momentum();
  }

  /** The text form of a ready-made, non-constant schedule; empty for a constant or a custom one. */
  static Optional<String> describeSchedule(OptimizerSpec optimizer) {
    return optimizer.isConstant() ? Optional.empty() : LearningRateSchedule.describe(optimizer.schedule());
  }

  /**
   * Reads {@link #describe} and, if not null, {@link #describeSchedule}.
   *
   * @throws IllegalArgumentException naming the bad text
   */
  static OptimizerSpec parseOptimizer(String description, String schedule) {
    String[] parts = description.trim().split(" ");
    checkArgument(parts.length == 3, "bad optimizer description '%s'", description);
    OptimizerSpec.Kind kind;
    try {
      kind = OptimizerSpec.Kind.valueOf(parts[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown optimizer '" + parts[0] + "'", e);
    }
    try {
      LearningRateSchedule s =
          schedule != null ? LearningRateSchedule.parse(schedule) : LearningRateSchedule.constant(Double.parseDouble(parts[1]));
      return OptimizerSpec.of(kind, s, Float.parseFloat(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad optimizer description '" + description + "'", e);
    }
  }
}
