package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.cli.EmbedCommand;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.DatasetSplit;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageFolderLoader;
import io.siamese.data.ImageReader;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticObjects;
import io.siamese.losses.BatchHardTripletLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Colour images in folders, the whole path an application takes: a folder of class folders
 * (generated here: coloured, textured synthetic objects, since no colour dataset ships with the
 * project) is read with {@link ImageFolderLoader}, a model is trained on some classes and measured
 * on the others, it keeps its {@link ImageReader} and is exported, and {@link EmbedCommand} embeds
 * the folder's files with exactly the preprocessing training used.
 *
 * <p>Run after {@code mvn -q -DskipTests install}: {@code mvn -q -pl examples exec:java
 * -Dexec.mainClass=io.siamese.examples.ColourFolders}. Options: {@code --classes N} (default 48),
 * {@code --per-class N} (default 12), {@code --steps N} (default 300), {@code --seed N}, {@code
 * --output DIR} (default {@code siamese-output/colour}).
 */
public final class ColourFolders {
  private ColourFolders() {}

  /** What a run measured. */
  record Result(OneShotResult oneShot, PairMetrics pairs, int filesEmbedded, double largestDifference) {}

  public static void main(String[] args) throws IOException {
    int classes = 48;
    int perClass = 12;
    int steps = 300;
    long seed = 7;
    Path output = Path.of("siamese-output", "colour");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--classes" -> classes = Integer.parseInt(args[++i]);
        case "--per-class" -> perClass = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--output" -> output = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    run(output, classes, perClass, steps, seed, System.out);
  }

  static Result run(Path output, int classes, int perClass, int steps, long seed, PrintStream out) throws IOException {
    // 1. A folder of class folders, as a user's photos would be: root/CLASS/*.png and *.jpg.
    Path images = output.resolve("images");
    SyntheticObjects objects = SyntheticObjects.of(64, seed);
    objects.writeFolders(images, classes, perClass, false);
    out.printf(Locale.ROOT, "Wrote %d classes of %d coloured objects (64x64) into %s%n", classes, perClass, images);

    // 2. One reader for everything: RGB at 32x32, per-channel normalisation. Bytes in memory.
    ImageReader reader =
        ImageReader.builder(ExampleShape.image(32, 32, 3)).normalize(new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25}).build();
    LabeledDataset data = ImageFolderLoader.builder(reader).byteStorage(true).build().load(images).dataset();
    DatasetSplit split = Splits.byClass(data, Math.max(5, classes / 4), seed);
    out.printf(Locale.ROOT, "Loaded %d images of %d classes; %d classes held out%n", data.size(), data.classCount(), split.test().classCount());

    // 3. Train Conv-4 with batch norm and batch-hard triplets on the training classes.
    Path export = output.resolve("savedmodel");
    deleteRecursively(export);
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(reader.shape(), 32, true))
            .loss(BatchHardTripletLoss.softMargin())
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(seed)
            .build()) {
      PkBatchSampler batches = PkBatchSampler.builder(split.train()).classesPerBatch(8).examplesPerClass(4).seed(seed).build();
      model.fit(batches, TrainingConfig.builder().epochs(1).stepsPerEpoch(steps).batchSize(32).build(), new ConsoleProgressListener(out));
      OneShotResult oneShot =
          model.evaluateOneShot(EpisodeSampler.builder(split.test()).ways(5).shots(1).queriesPerClass(1).seed(seed).build(), 400);
      PairMetrics pairs = model.evaluatePairs(io.siamese.data.BalancedPairSampler.of(split.test(), seed), 1000);
      out.println("Unseen classes: " + oneShot + ", pair ROC AUC " + String.format(Locale.ROOT, "%.3f", pairs.rocAuc()));

      // 4. Keep the preprocessing and a threshold with the model, and export it.
      model.setPreprocessing(reader);
      model.setOperatingPoint(pairs.bestAccuracyPoint("1000 pairs of the held-out classes"));
      model.exportSavedModel(export);
      out.println("Exported to " + export);

      // 5. Embed the held-out classes' files with the command-line tool: same reader, same values.
      List<Path> files = new ArrayList<>();
      for (String name : split.test().classNames().values()) {
        try (Stream<Path> s = Files.list(images.resolve(name))) {
          s.sorted().forEach(files::add);
        }
      }
      Path list = Files.write(output.resolve("files.txt"), files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
      Path tsv = output.resolve("embeddings.tsv");
      int embedded = EmbedCommand.run(new String[] {"--model", export.toString(), "--out", tsv.toString(), "@" + list}, out);
      double largest = 0;
      List<String> lines = Files.readAllLines(tsv);
      for (int i = 0; i < lines.size(); i++) {
        String[] values = lines.get(i).substring(lines.get(i).indexOf('\t') + 1).split(",");
        float[] direct = model.embed(reader.read(files.get(i)));
        for (int k = 0; k < values.length; k++) {
          largest = Math.max(largest, Math.abs(Float.parseFloat(values[k]) - direct[k]));
        }
      }
      out.printf(Locale.ROOT, "EmbedCommand and the model agree on all %d files (largest difference %.2e)%n", embedded, largest);
      return new Result(oneShot, pairs, embedded, largest);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + dir + ": " + e, e);
    }
  }
}
