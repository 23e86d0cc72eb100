package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HNSW gallery against the exact answer on embeddings a real encoder makes: 3,000 synthetic
 * glyphs (150 classes x 20) through a briefly trained Conv-4 (64 floats), searched, with the
 * default 100 candidates, by 150 held-out glyphs of those classes and 100 of 50 classes never
 * enrolled. The exact answer is a brute-force scan with {@link Distance#between}. The threshold
 * for "unknown" is chosen as an application would: the one that best separates same-class from
 * different-class pairs of held-out glyphs. Checked: recall@1 against the exact search {@code >=
 * 0.98}, the same decision (label or unknown) for {@code >= 99%} of the queries, and the exact
 * distance wherever the nearest id agrees.
 */
class LuceneGalleryRecallTest {
  private static final int CLASSES = 150;
  private static final int PER_CLASS = 20;

  private static float[][] gallery;
  private static int[] galleryLabels;
  private static float[][] queries;
  private static EmbeddingSpace modelSpace;

  @TempDir Path tmp;

  @BeforeAll
  static void embed() {
    // 21 examples per class: 20 enrolled, the 21st a query (the generator extends a dataset without changing it).
    LabeledDataset known = SyntheticGlyphs.builder().classes(CLASSES).examplesPerClass(PER_CLASS + 1).seed(42).build().generate();
    LabeledDataset unknown = SyntheticGlyphs.builder().classes(50).examplesPerClass(2).seed(4242).build().generate();
    LabeledDataset training = SyntheticGlyphs.builder().classes(60).examplesPerClass(10).seed(7).build().generate();
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(known.shape(), 64))
            .loss(ContrastiveLoss.similarIsOne())
            .seed(15)
            .build()) {
      model.fit(BalancedPairSampler.of(training, 15), TrainingConfig.builder().epochs(1).stepsPerEpoch(40).batchSize(32).build());
      float[][] k = model.embed(known);
      float[][] u = model.embed(unknown);
      gallery = new float[CLASSES * PER_CLASS][];
      galleryLabels = new int[gallery.length];
      List<float[]> q = new ArrayList<>();
      int g = 0;
      for (int i = 0; i < k.length; i++) {
        if (i % (PER_CLASS + 1) == PER_CLASS) {
          q.add(k[i]);
        } else {
          gallery[g] = k[i];
          galleryLabels[g++] = known.label(i);
        }
      }
      q.addAll(Arrays.asList(u));
      queries = q.toArray(new float[0][]);
      modelSpace = model.embeddingSpace();
    }
  }

  @ParameterizedTest(name = "{0}, int8 {1}")
  @CsvSource({"euclidean, false", "euclidean, true", "cosine, false", "cosine, true"})
  void hnswWithExactRerankAgreesWithTheExactSearch(String distanceName, boolean int8) {
    Distance d = Distances.byName(distanceName);
    ExactOracle<Integer> exact = new ExactOracle<>(d);
    double threshold = threshold(d);
    LuceneGalleryBuilder<Integer> b =
        LuceneGallery.builder(
            tmp.resolve("g"), new EmbeddingSpace(64, d, modelSpace.modelDigest()), LabelCodec.integers());
    if (int8) {
      b.int8Quantization();
    }
    try (LuceneGallery<Integer> lucene = b.build()) {
      List<Integer> labels = Arrays.stream(galleryLabels).boxed().toList();
      long[] ids = lucene.enrolAll(labels, gallery);
      for (int i = 0; i < ids.length; i++) {
        exact.add(ids[i], galleryLabels[i], gallery[i]);
      }
      lucene.forceMerge(1);
      assertEquals(1, lucene.segments());
      int sameTop = 0;
      int sameDecision = 0;
      int overlap5 = 0;
      for (float[] q : queries) {
        List<Neighbor<Integer>> want = exact.nearest(q, 5);
        List<Neighbor<Integer>> got = lucene.nearest(q, 5);
        assertEquals(5, got.size());
        if (got.get(0).id() == want.get(0).id()) {
          sameTop++;
          assertEquals(want.get(0), got.get(0), "same id, other label or distance");
        }
        boolean knownWant = want.get(0).distance() <= threshold;
        boolean knownGot = got.get(0).distance() <= threshold;
        if (knownWant == knownGot && (!knownWant || want.get(0).label().equals(got.get(0).label()))) {
          sameDecision++;
        }
        for (Neighbor<Integer> n : got) {
          overlap5 += want.stream().anyMatch(w -> w.id() == n.id()) ? 1 : 0;
          assertEquals(d.between(q, gallery[(int) n.id()]), n.distance(), "distance of id " + n.id() + " is not exact");
        }
      }
      double recall1 = sameTop / (double) queries.length;
      double decisions = sameDecision / (double) queries.length;
      System.out.printf(
          Locale.ROOT,
          "lucene recall (%s, int8 %s): %d queries against %d embeddings: recall@1 %.4f, recall@5 %.4f, same decision %.4f at"
              + " threshold %.4f%n",
          distanceName, int8, queries.length, gallery.length, recall1, overlap5 / (5.0 * queries.length), decisions, threshold);
      assertTrue(recall1 >= 0.98, "recall@1 " + recall1);
      assertTrue(decisions >= 0.99, "same decision " + decisions);
    }
  }

  /**
   * The distance that best separates 1,000 same-class from 1,000 different-class pairs of gallery
   * embeddings: how an application picks its unknown threshold from held-out pairs.
   */
  private static double threshold(Distance d) {
    SplittableRandom r = new SplittableRandom(5);
    double[] same = new double[1000];
    double[] diff = new double[1000];
    for (int i = 0; i < same.length; i++) {
      int c = r.nextInt(CLASSES);
      int a = c * PER_CLASS + r.nextInt(PER_CLASS);
      int bb = c * PER_CLASS + r.nextInt(PER_CLASS);
      same[i] = d.between(gallery[a], gallery[bb]);
      int other = (c + 1 + r.nextInt(CLASSES - 1)) % CLASSES;
      diff[i] = d.between(gallery[a], gallery[other * PER_CLASS + r.nextInt(PER_CLASS)]);
    }
    double best = 0;
    int bestCorrect = -1;
    for (double t : same) {
      int correct = 0;
      for (double s : same) {
        correct += s <= t ? 1 : 0;
      }
      for (double x : diff) {
        correct += x > t ? 1 : 0;
      }
      if (correct > bestCorrect) {
        bestCorrect = correct;
        best = t;
      }
    }
    return Math.max(best, Double.MIN_VALUE);
  }
}
