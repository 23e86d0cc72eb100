package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.encoder.Activation;
import io.siamese.core.encoder.ActivationLayer;
import io.siamese.core.encoder.AvgPoolLayer;
import io.siamese.core.encoder.BatchNormLayer;
import io.siamese.core.encoder.Conv2dLayer;
import io.siamese.core.encoder.DenseLayer;
import io.siamese.core.encoder.DropoutLayer;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.FlattenLayer;
import io.siamese.core.encoder.GlobalPoolLayer;
import io.siamese.core.encoder.L2NormalizeLayer;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.MaxPoolLayer;
import io.siamese.core.encoder.Padding;
import io.siamese.core.encoder.ResidualBlockLayer;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distances;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import io.siamese.losses.Reduction;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration that rebuilds a model, as a small text file ({@code model.properties}): the
 * encoder's layers, the loss, the optimizer with its learning-rate schedule, the seed and the
 * number of training steps so far. Text, so that a person can read what a saved model is.
 *
 * <p>Entries added after the first format ({@code optimizer.schedule}, {@code steps}) are optional
 * when read, so models saved before them load: with a constant rate and at step 0.
 */
final class ModelDescription {
  static final String FORMAT = "siamese-model/1";

  final EncoderSpec encoder;
  /** The loss rebuilt from its description; empty for a loss this codec does not know (the caller must then supply it). */
  final Optional<Object> loss;
  /** Whether the loss is the Koch head, whose weights are part of the model. */
  final boolean koch;
  final String lossDescription;
  final OptimizerSpec optimizer;
  final long seed;
  /** Training steps applied before the save. */
  final long steps;
  /** The rate written for a schedule of the caller's own, which cannot be written; NaN when read. */
  private final double customRate;

  /**
   * A description to write.
   *
   * @param loss the model's loss
   * @param customRate the rate to keep if the optimizer's schedule is the caller's own
   */
  ModelDescription(EncoderSpec encoder, Object loss, OptimizerSpec optimizer, long seed, long steps, double customRate) {
    this(encoder, Optional.of(loss), loss instanceof KochPairHeadLoss, loss.toString(), optimizer, seed, steps, customRate);
  }

  private ModelDescription(
      EncoderSpec encoder,
      Optional<Object> loss,
      boolean koch,
      String lossDescription,
      OptimizerSpec optimizer,
      long seed,
      long steps,
      double customRate) {
    this.encoder = encoder;
    this.loss = loss;
    this.koch = koch;
    this.lossDescription = lossDescription;
    this.optimizer = optimizer;
    this.seed = seed;
    this.steps = steps;
    this.customRate = customRate;
  }

  String write() {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("input", shape(encoder.inputShape()));
    for (int i = 0; i < encoder.layers().size(); i++) {
      p.setProperty("layer." + i, layer(encoder.layers().get(i)));
    }
    p.setProperty("loss", loss.map(ModelDescription::loss).orElse("custom"));
    p.setProperty("loss.description", lossDescription);
    p.setProperty("optimizer", describe(optimizer, customRate));
    describeSchedule(optimizer).ifPresent(s -> p.setProperty("optimizer.schedule", s));
    if (describeSchedule(optimizer).isEmpty() && !optimizer.isConstant()) {
      // For the reader only: the model loads with the constant rate of the "optimizer" entry.
      p.setProperty("optimizer.schedule.custom", optimizer.schedule().toString());
    }
    p.setProperty("seed", Long.toString(seed));
    p.setProperty("steps", Long.toString(steps));
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
      checkArgument(FORMAT.equals(p.getProperty("format")), "format is %s, expected %s", p.getProperty("format"), FORMAT);
      EncoderSpec.Builder b = EncoderSpec.builder(parseShape(required(p, "input")));
      for (int i = 0; p.getProperty("layer." + i) != null; i++) {
        b.add(parseLayer(p.getProperty("layer." + i)));
      }
      String lossText = required(p, "loss");
      Optional<KochPairHeadLoss> koch = parseKoch(lossText);
      Optional<Object> loss = koch.isPresent() ? Optional.of(koch.get()) : parseLoss(lossText).map(l -> (Object) l);
      long steps = Long.parseLong(p.getProperty("steps", "0"));
      checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
      return new ModelDescription(
          b.build(),
          loss,
          koch.isPresent(),
          p.getProperty("loss.description", ""),
          parseOptimizer(required(p, "optimizer"), p.getProperty("optimizer.schedule")),
          Long.parseLong(required(p, "seed")),
          steps,
          Double.NaN);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " holds a bad model configuration: " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    checkArgument(v != null, "missing entry '%s'", key);
    return v;
  }

  private static String shape(ExampleShape s) {
    return s.isImage() ? s.toString() : "vector " + s.size();
  }

  private static ExampleShape parseShape(String s) {
    if (s.startsWith("vector ")) {
      return ExampleShape.vector(Integer.parseInt(s.substring(7).trim()));
    }
    String[] d = s.split("x");
    checkArgument(d.length == 3, "bad shape '%s'", s);
    return ExampleShape.image(Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]));
  }

  private static String layer(LayerSpec l) {
    if (l instanceof Conv2dLayer c) {
      return "conv2d " + c.filters() + " " + c.kernel() + " " + c.stride() + " " + c.padding();
    } else if (l instanceof MaxPoolLayer m) {
      return "maxpool " + m.size() + " " + m.stride();
    } else if (l instanceof FlattenLayer) {
      return "flatten";
    } else if (l instanceof DenseLayer d) {
      return "dense " + d.units();
    } else if (l instanceof ActivationLayer a) {
      return "activation " + a.activation();
    } else if (l instanceof AvgPoolLayer a) {
      return "avgpool " + a.size() + " " + a.stride();
    } else if (l instanceof GlobalPoolLayer g) {
      return "globalpool " + g.pooling();
    } else if (l instanceof BatchNormLayer bn) {
      return "batchnorm " + bn.momentum() + " " + bn.epsilon();
    } else if (l instanceof DropoutLayer d) {
      return "dropout " + d.rate();
    } else if (l instanceof L2NormalizeLayer) {
      return "l2normalize";
    } else if (l instanceof ResidualBlockLayer r) {
      return "residual " + r.filters() + " " + r.stride();
    }
    throw new IllegalStateException("no description for layer " + l);
  }

  private static LayerSpec parseLayer(String s) {
    String[] t = s.trim().split(" ");
    switch (t[0]) {
      case "conv2d":
        checkArgument(t.length == 5, "bad conv2d '%s'", s);
        return new Conv2dLayer(
            Integer.parseInt(t[1]), Integer.parseInt(t[2]), Integer.parseInt(t[3]), Padding.valueOf(t[4]));
      case "maxpool":
        checkArgument(t.length == 3, "bad maxpool '%s'", s);
        return new MaxPoolLayer(Integer.parseInt(t[1]), Integer.parseInt(t[2]));
      case "flatten":
        return new FlattenLayer();
      case "dense":
        checkArgument(t.length == 2, "bad dense '%s'", s);
        return new DenseLayer(Integer.parseInt(t[1]));
      case "activation":
        checkArgument(t.length == 2, "bad activation '%s'", s);
        return new ActivationLayer(Activation.valueOf(t[1]));
      case "avgpool":
        checkArgument(t.length == 3, "bad avgpool '%s'", s);
        return new AvgPoolLayer(Integer.parseInt(t[1]), Integer.parseInt(t[2]));
      case "globalpool":
        checkArgument(t.length == 2, "bad globalpool '%s'", s);
        return new GlobalPoolLayer(GlobalPoolLayer.Pooling.valueOf(t[1]));
      case "batchnorm":
        checkArgument(t.length == 3, "bad batchnorm '%s'", s);
        return new BatchNormLayer(Double.parseDouble(t[1]), Double.parseDouble(t[2]));
      case "dropout":
        checkArgument(t.length == 2, "bad dropout '%s'", s);
        return new DropoutLayer(Double.parseDouble(t[1]));
      case "l2normalize":
        return new L2NormalizeLayer();
      case "residual":
        checkArgument(t.length == 3, "bad residual '%s'", s);
        return new ResidualBlockLayer(Integer.parseInt(t[1]), Integer.parseInt(t[2]));
      default:
        throw new IllegalArgumentException("unknown layer '" + s + "'");
    }
  }

  private static String loss(Object loss) {
    if (loss instanceof KochPairHeadLoss k) {
      return koch(k);
    }
    if (loss instanceof ContrastiveLoss c) {
      return String.format(
          Locale.ROOT,
          "contrastive %s %s %s %s",
          c.labelConvention(),
          Double.toString(c.margin()),
          c.distance().name(),
          c.reduction());
    }
    return "custom";
  }

  private static String koch(KochPairHeadLoss k) {
    return "koch " + k.labelConvention() + " " + k.reduction();
  }

  private static Optional<KochPairHeadLoss> parseKoch(String s) {
    String[] t = s.trim().split(" ");
    if (!t[0].equals("koch")) {
      return Optional.empty();
    }
    checkArgument(t.length == 3, "bad koch loss '%s'", s);
    return Optional.of(
        KochPairHeadLoss.builder(PairLabelConvention.valueOf(t[1])).reduction(Reduction.valueOf(t[2])).build());
  }

  private static Optional<PairLoss> parseLoss(String s) {
    String[] t = s.trim().split(" ");
    if (t[0].equals("custom")) {
      return Optional.empty();
    }
    checkArgument(t[0].equals("contrastive") && t.length == 5, "unknown loss '%s'", s);
    return Optional.of(
        ContrastiveLoss.builder(PairLabelConvention.valueOf(t[1]))
            .margin(Double.parseDouble(t[2]))
            .distance(Distances.byName(t[3]))
            .reduction(Reduction.valueOf(t[4]))
            .build());
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
    LearningRateSchedule s =
        schedule != null
            ? LearningRateSchedule.parse(schedule)
            : LearningRateSchedule.constant(Double.parseDouble(parts[1]));
    return OptimizerSpec.of(kind, s, Float.parseFloat(parts[2]));
  }

  /**
   * The loss a loaded model trains with: {@code given} if not null, else the one described.
   *
   * @throws IllegalArgumentException if the model has the Koch head and another loss is given, or
   *     its loss is a custom one and none is given
   */
  Object chooseLoss(Object given, java.nio.file.Path directory) {
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
        directory + " was trained with a custom loss (" + lossDescription + "); pass it to load(directory, loss)"));
  }
}
