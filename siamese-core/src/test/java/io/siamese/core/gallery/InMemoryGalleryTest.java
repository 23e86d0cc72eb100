package io.siamese.core.gallery;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InMemoryGallery} against a brute-force oracle over {@link Distance#between}: the k
 * nearest (ties to the earliest enrolled), removal by id and label, and crash-safe save and open.
 */
class InMemoryGalleryTest {
  private static final int DIM = 6;
  private static final EmbeddingSpace SPACE = new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-a");

  @TempDir Path tmp;

  private static float[][] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] out = new float[n][DIM];
    for (float[] row : out) {
      for (int k = 0; k < DIM; k++) {
        // Few distinct values, so that equal distances (ties) occur.
        row[k] = r.nextInt(4);
      }
    }
    return out;
  }

  /** What an exhaustive scan answers: rows sorted by distance, then by enrolment order. */
  private static List<Integer> oracle(float[][] rows, boolean[] removed, float[] q, int k, Distance d) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      if (!removed[i]) {
        order.add(i);
      }
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> d.between(q, rows[i])).thenComparingInt(i -> i));
    return order.subList(0, Math.min(k, order.size()));
  }

  @Test
  void theKNearestAreTheBruteForceAnswerWithTiesToTheEarliest() {
    for (Distance d : List.of(Distances.EUCLIDEAN, Distances.COSINE, Distances.L1)) {
      EmbeddingSpace space = new EmbeddingSpace(DIM, d, "m");
      float[][] rows = random(500, 3);
      rows[0][0] = 1; // cosine needs no zero row
      for (float[] row : rows) {
        row[1] += 1;
      }
      try (InMemoryGallery<Integer> g = InMemoryGallery.create(space)) {
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
          labels.add(i % 7);
        }
        long[] ids = g.enrolAll(labels, rows);
        boolean[] removed = new boolean[rows.length];
        for (int i = 0; i < rows.length; i += 5) {
          assertTrue(g.remove(ids[i]));
          removed[i] = true;
        }
        for (float[] q : random(40, 9)) {
          for (int k : new int[] {1, 3, 10}) {
            List<Neighbor<Integer>> found = g.nearest(q, k);
            List<Integer> expected = oracle(rows, removed, q, k, d);
            assertEquals(expected.size(), found.size());
            for (int j = 0; j < expected.size(); j++) {
              int row = expected.get(j);
              assertEquals(ids[row], found.get(j).id(), d.name() + " k=" + k + " rank " + j);
              assertEquals(row % 7, found.get(j).label());
              assertEquals(d.between(q, rows[row]), found.get(j).distance(), 0.0);
            }
          }
        }
      }
    }
  }

  @Test
  void removalByLabelKeepsTheOthersAndTheOrderOfLabels() {
    try (InMemoryGallery<String> g = InMemoryGallery.create(SPACE)) {
      float[][] rows = random(6, 1);
      long[] a = g.enrol("a", new float[][] {rows[0], rows[1]});
      long[] b = g.enrol("b", new float[][] {rows[2]});
      g.enrol("c", rows[3]);
      assertArrayEquals(new long[] {0, 1}, a);
      assertArrayEquals(new long[] {2}, b);
      assertEquals(List.of("a", "b", "c"), List.copyOf(g.labels()));
      assertEquals(2, g.removeLabel("a"));
      assertEquals(0, g.removeLabel("a"));
      assertFalse(g.remove(a[0]));
      assertEquals(List.of("b", "c"), List.copyOf(g.labels()));
      assertEquals(2, g.size());
      // Ids are never reused, and a label can come back.
      assertArrayEquals(new long[] {4}, g.enrol("a", new float[][] {rows[4]}));
      assertEquals(Set.of("a", "b", "c"), g.labels());
      assertEquals("a", g.classify(rows[4], Double.POSITIVE_INFINITY).nearest());
    }
  }

  @Test
  void anOpenedGallerySurvivesAReopenAndRefusesAnotherSpace() throws IOException {
    Path dir = tmp.resolve("gallery");
    float[][] rows = random(30, 4);
    try (InMemoryGallery<String> g = InMemoryGallery.open(dir, SPACE, LabelCodec.strings())) {
      for (int i = 0; i < rows.length; i++) {
        g.enrol("label " + (i % 4), rows[i]);
      }
      g.remove(3);
      g.commit();
      g.enrol("uncommitted", rows[0]);
    }
    try (InMemoryGallery<String> g = InMemoryGallery.open(dir, SPACE, LabelCodec.strings())) {
      assertEquals(29, g.size());
      assertFalse(g.labels().contains("uncommitted"));
      assertEquals(List.of("label 0", "label 1", "label 2", "label 3"), List.copyOf(g.labels()));
      List<Neighbor<String>> n = g.nearest(rows[7], 1);
      assertEquals(0.0, n.get(0).distance(), 0.0);
      // The next id goes on from the saved one.
      assertEquals(30, g.enrol("new", rows[1]));
    }
    assertMessage(
        IllegalArgumentException.class,
        () -> InMemoryGallery.open(dir, new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-b"), LabelCodec.strings()),
        "was made in another space: it was made by another model");
    assertMessage(
        IllegalArgumentException.class,
        () -> InMemoryGallery.open(dir, new EmbeddingSpace(DIM, Distances.COSINE, "model-a"), LabelCodec.strings()),
        "it compares with the distance euclidean, this space with cosine");
  }

  @Test
  void aDamagedFileIsAClearErrorNeverAnAllocation() throws IOException {
    Path dir = tmp.resolve("damaged");
    try (InMemoryGallery<String> g = InMemoryGallery.open(dir, SPACE, LabelCodec.strings())) {
      g.enrol("x", random(3, 2));
      g.commit();
    }
    Path file = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve(GalleryFile.NAME);
    byte[] good = Files.readAllBytes(file);
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    Files.write(file, flipped);
    assertMessage(IllegalArgumentException.class, () -> InMemoryGallery.open(dir, SPACE, LabelCodec.strings()), "checksum does not match");
    Files.write(file, java.util.Arrays.copyOf(good, 20));
    assertMessage(IllegalArgumentException.class, () -> InMemoryGallery.open(dir, SPACE, LabelCodec.strings()), "gallery.bin");
    // A file with a valid checksum that declares two billion embeddings is refused before allocating them.
    GalleryFile.Contents huge =
        new GalleryFile.Contents(DIM, "euclidean", "model-a", 1, List.of("x"), new long[0], new int[0], new float[0]);
    byte[] bytes = GalleryFile.write(huge);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int rowCountAt = 8 + 4 + 4 + "euclidean".length() + 4 + "model-a".length() + 8 + 4;
    b.putInt(rowCountAt, 2_000_000_000);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    b.putLong(bytes.length - 8, crc.getValue());
    assertMessage(IllegalArgumentException.class, () -> GalleryFile.read(bytes, "hostile"), "declares 2000000000 embeddings");
  }

  @Test
  void badInputAndMisuseAfterCloseAreClearErrors() {
    InMemoryGallery<String> g = InMemoryGallery.create(SPACE);
    assertMessage(IllegalArgumentException.class, () -> g.enrol("a", new float[3]), "embedding has 3 floats; the gallery's embeddings have 6");
    assertMessage(IllegalArgumentException.class, () -> g.enrol("a", new float[][] {new float[6], {0, 0, Float.NaN, 0, 0, 0}}), "embedding 1 holds NaN at position 2");
    assertEquals(0, g.size());
    assertMessage(IllegalArgumentException.class, () -> g.enrol("a", new float[0][]), "enrol needs at least one embedding of a");
    assertMessage(IllegalArgumentException.class, () -> g.enrolAll(List.of("a"), new float[2][6]), "1 labels for 2 embeddings");
    assertMessage(IllegalArgumentException.class, () -> g.nearest(new float[6], 0), "k must be >= 1, got 0");
    assertTrue(g.nearest(new float[6], 3).isEmpty());
    assertMessage(IllegalStateException.class, () -> g.classify(new float[6], 1.0), "no example is enrolled");
    assertMessage(IllegalArgumentException.class, () -> g.classify(new float[6], 0.0), "unknown threshold must be > 0");
    g.close();
    g.close();
    assertMessage(IllegalStateException.class, () -> g.enrol("a", new float[6]), "this gallery is closed");
    assertMessage(IllegalStateException.class, g::size, "this gallery is closed");
  }

  @Test
  void predictionsAreEqualWhenTheyGiveTheSameAnswer() {
    assertEquals(new OneShotPrediction<>("a", 0.5, true), new OneShotPrediction<>("a", 0.5000001, true));
    assertEquals(new OneShotPrediction<>("a", 0.5, true).hashCode(), new OneShotPrediction<>("a", 0.5000001, true).hashCode());
    assertFalse(new OneShotPrediction<>("a", 0.5, true).equals(new OneShotPrediction<>("a", 0.5, false)));
    assertFalse(new OneShotPrediction<>("a", 0.5, true).equals(new OneShotPrediction<>("b", 0.5, true)));
  }
}
