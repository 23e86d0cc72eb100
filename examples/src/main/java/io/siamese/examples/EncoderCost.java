package io.siamese.examples;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.Augmenter;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.BatchHardTripletLoss;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Omniglot encoders cost at 28x28x1: GFLOP per image (forward, analytic) and training
 * examples per second, the Omniglot example's step (batch-hard, P x K batches of 32 x 4, Koch et
 * al.'s augmentation, Adam) on synthetic glyphs. The encoders are timed in turn, round after round,
 * so that other load on the machine falls on all of them alike; the median of the rounds is
 * reported.
 *
 * <p>Options: {@code --steps N} per encoder and round (default 60), {@code --rounds R} (default 3),
 * {@code --threads N} TensorFlow's intra-op threads (default: TensorFlow's choice), {@code --precision
 * fp32|mixed} (default fp32; mixed is bfloat16 where the CPU has it, see {@link Precision}).
 */
public final class EncoderCost {
  private EncoderCost() {}

  public static void main(String[] args) {
    int steps = 60;
    int rounds = 3;
    int threads = 0;
    Precision precision = Precision.FP32;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--precision" -> precision = Precision.valueOf(args[i + 1].toUpperCase(java.util.Locale.ROOT));
        default -> throw new IllegalArgumentException(
            "unknown option " + args[i] + "; known: --steps N, --rounds R, --threads N, --precision fp32|mixed");
      }
    }
    PrintStream out = System.out;
    ExampleShape shape = ExampleShape.image(28, 28, 1);
    Map<String, EncoderSpec> encoders = encoders(shape);
    LabeledDataset data = SyntheticGlyphs.builder().classes(64).examplesPerClass(8).seed(1).build().generate();
    Map<String, SiameseModel> models = new LinkedHashMap<>();
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    try {
      for (var e : encoders.entrySet()) {
        SiameseModelBuilder b = SiameseModel.builder().encoder(e.getValue()).loss(BatchHardTripletLoss.softMargin())
            .optimizer(OptimizerSpec.adam(1e-3)).seed(1).precision(precision);
        if (threads > 0) {
          b.threads(threads, 1);
        }
        models.put(e.getKey(), b.build());
        rates.put(e.getKey(), new ArrayList<>());
        train(models.get(e.getKey()), data, 5); // warm-up: graph optimisation, first allocations
      }
      for (int r = 0; r < rounds; r++) {
        for (var e : models.entrySet()) {
          long t = System.nanoTime();
          train(e.getValue(), data, steps);
          rates.get(e.getKey()).add(steps * 128 / ((System.nanoTime() - t) / 1e9));
        }
      }
    } finally {
      models.values().forEach(SiameseModel::close);
    }
    out.printf(Locale.ROOT, "| encoder | parameters | embedding | GFLOP / image (forward) | training examples/s (median of %d rounds) | steps/s at 128 |%n", rounds);
    out.println("|---|---|---|---|---|---|");
    for (var e : encoders.entrySet()) {
      double[] r = rates.get(e.getKey()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = r[r.length / 2];
      out.printf(Locale.ROOT, "| %s | %,d | %d | %.4f | %,.0f (%s) | %.2f |%n", e.getKey(), e.getValue().parameterCount(),
          e.getValue().embeddingSize(), e.getValue().forwardFlopsPerExample() / 1e9, median,
          Arrays.stream(r).mapToObj(x -> String.format(Locale.ROOT, "%.0f", x)).toList(), median / 128);
    }
  }

  /** The encoders of the Omniglot example's ablations. */
  static Map<String, EncoderSpec> encoders(ExampleShape shape) {
    Map<String, EncoderSpec> m = new LinkedHashMap<>();
    m.put("Conv-4, 64 filters, batch norm", EncoderSpec.conv4(shape, 64, true));
    m.put("Conv-4, 128 filters, batch norm", EncoderSpec.conv4(shape, 128, true));
    m.put("ResNet-12, 64-96-128-256", EncoderSpec.resnet12(shape, 64, 96, 128, 256));
    m.put("ResNet-12, 64-160-320-640 (literature)", EncoderSpec.resnet12(shape));
    return m;
  }

  private static void train(SiameseModel model, LabeledDataset data, int steps) {
    PkBatchSampler sampler = PkBatchSampler.builder(data).classesPerBatch(32).examplesPerClass(4).seed(1).build();
    TrainingConfig config = TrainingConfig.builder().epochs(1).stepsPerEpoch(steps).batchSize(128)
        .augmentation(Augmenter.koch2015()::apply).build();
    model.fit(sampler, config);
  }
}
