package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.IdxLoader;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Verification of clothing classes never seen in training, on Fashion-MNIST: trains on six classes
 * (T-shirt/top, trouser, pullover, dress, coat, sandal: the 60,000 training images of those
 * classes) and evaluates on the other four (shirt, sneaker, bag, ankle boot: the 4,000 test images
 * of those classes): pair ROC AUC, equal error rate, the threshold at a 1% false accept rate, and
 * 4-way one-shot accuracy.
 *
 * <p>Data: {@code /usr/share/datasets/fashion-mnist/} ({@code apt-get install dataset-fashion-mnist})
 * or the folder given with {@code --data}. Options: {@code --minutes M} (default 3), {@code
 * --episodes N} (default 400), {@code --output DIR} (default {@code siamese-output/fashion-mnist}),
 * {@code --seed N}, {@code --steps N} a cap on training steps, {@code --loss contrastive} for contrastive pairs
 * instead of the default batch-hard triplet loss on batches of all six training classes.
 */
public final class FashionMnistVerification {
  static final List<String> CLASS_NAMES =
      List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  private static final int FIRST_UNSEEN = 6;

  private FashionMnistVerification() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("/usr/share/datasets/fashion-mnist");
    double minutes = 3;
    int episodes = 400;
    Path output = Path.of("siamese-output", "fashion-mnist");
    long seed = 1;
    int steps = 0;
    // Measured (docs/examples.md): batch-hard separates the unseen classes better than contrastive pairs.
    String loss = "batch-hard";
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--data" -> data = Path.of(v);
        case "--minutes" -> minutes = Double.parseDouble(v);
        case "--episodes" -> episodes = Integer.parseInt(v);
        case "--output" -> output = Path.of(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--loss" -> {
          if (!v.equals("contrastive") && !v.equals("batch-hard")) {
            throw new IllegalArgumentException("--loss must be contrastive or batch-hard, got " + v);
          }
          loss = v;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; known: --data DIR, --minutes M, --steps N, --loss contrastive|batch-hard, --episodes N, --output DIR, --seed N");
      }
    }
    PrintStream out = System.out;
    Path trainImages = data.resolve("train-images-idx3-ubyte.gz");
    if (!Files.isRegularFile(trainImages)) {
      out.println("Fashion-MNIST is not in " + data + ". On Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist "
          + "(it installs /usr/share/datasets/fashion-mnist/), or pass --data DIR holding the four IDX files.");
      return;
    }
    long t0 = System.nanoTime();
    LabeledDataset trainAll = IdxLoader.load(trainImages, data.resolve("train-labels-idx1-ubyte.gz"));
    LabeledDataset testAll = IdxLoader.load(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
    out.printf(Locale.ROOT, "Loaded %d + %d images in %.1f s%n", trainAll.size(), testAll.size(), (System.nanoTime() - t0) / 1e9);
    LabeledDataset train = classes(trainAll, true);
    LabeledDataset unseen = classes(testAll, false);
    out.printf(Locale.ROOT, "Training on %s (%d images); evaluating on unseen %s (%d images)%n",
        CLASS_NAMES.subList(0, FIRST_UNSEEN), train.size(), CLASS_NAMES.subList(FIRST_UNSEEN, 10), unseen.size());

    Files.createDirectories(output);
    boolean batchHard = loss.equals("batch-hard");
    SiameseModelBuilder builder = SiameseModel.builder()
        .encoder(EncoderSpec.conv4(train.shape(), 64, true))
        .optimizer(OptimizerSpec.adam(1e-3))
        .seed(seed);
    builder = batchHard ? builder.loss(BatchHardTripletLoss.create()) : builder.loss(ContrastiveLoss.similarIsOne(1.0));
    try (SiameseModel model = builder.build()) {
      out.println("Loss: " + model.lossDescription());
      // Validation on held-out training-class images: the unseen classes stay untouched until the end.
      LabeledDataset validation = classes(testAll, true);
      TrainingConfig.Builder config = TrainingConfig.builder()
          .epochs(steps > 0 ? (steps + 199) / 200 : 1000)
          .stepsPerEpoch(200)
          .validation(BalancedPairSampler.of(validation, seed + 1), 2000)
          .earlyStopping(5)
          .timeLimit(Duration.ofSeconds(Math.round(minutes * 60)));
      TrainingHistory history = batchHard
          // All six training classes in every batch, 21 images each: 126 encoder passes, as many as 64 pairs take.
          ? model.fit(PkBatchSampler.builder(train).classesPerBatch(FIRST_UNSEEN).examplesPerClass(21).seed(seed).build(),
              config.batchSize(126).build(), new ConsoleProgressListener(out))
          : model.fit(BalancedPairSampler.of(train, seed), config.batchSize(64).build(), new ConsoleProgressListener(out));

      PairMetrics pairs = model.evaluatePairs(BalancedPairSampler.of(unseen, seed + 2), 4000);
      double far1 = pairs.thresholdAtFalseAcceptRate(0.01);
      out.printf(Locale.ROOT, "%nUnseen classes, 4,000 pairs: ROC AUC %.4f, equal error rate %.2f%% (threshold %.4f)%n",
          pairs.rocAuc(), 100 * pairs.equalErrorRate(), pairs.equalErrorThreshold());
      out.printf(Locale.ROOT, "At a 1%% false accept rate: threshold %.4f accepts %.2f%% of same-class pairs%n",
          far1, 100 * pairs.at(far1).recall());
      OneShotResult oneShot = model.evaluateOneShot(
          EpisodeSampler.builder(unseen).ways(4).shots(1).queriesPerClass(1).seed(seed + 3).build(), episodes);
      out.println(oneShot);

      try {
        Charts.trainingCurve(history, "held-out images of the training classes", output.resolve("training-curve.png"));
        Charts.rocCurve(pairs, far1, "1% false accepts", output.resolve("roc-curve.png"));
        Episode episode = EpisodeSampler.builder(unseen).ways(4).shots(1).queriesPerClass(1).seed(seed).build().next();
        Charts.episode(model, episode, 2, unseen, output.resolve("one-shot-episode.png"));
        int[] shown = IntStream.range(0, unseen.size()).filter(i -> i % 8 == 0).toArray();
        LabeledDataset subset = unseen.subset(shown);
        Charts.embeddingProjection(model.embed(subset), subset.labels(), CLASS_NAMES::get,
            "Embeddings of the 4 unseen classes (PCA)",
            output.resolve("embeddings-pca.png"));
        out.println("Pictures: " + output.toAbsolutePath() + " " + Charts.names());
      } catch (IOException | RuntimeException | Error e) {
        out.println("Could not draw the pictures: " + e);
      }
    }
    out.printf(Locale.ROOT, "Done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static LabeledDataset classes(LabeledDataset data, boolean seen) {
    int[] keep = IntStream.range(0, data.size()).filter(i -> (data.label(i) < FIRST_UNSEEN) == seen).toArray();
    return data.subset(keep);
  }
}
