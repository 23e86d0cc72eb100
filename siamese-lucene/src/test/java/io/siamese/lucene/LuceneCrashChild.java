package io.siamese.lucene;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Not a test: the child JVM of {@link ReliabilityLuceneCrashTest}. Opens the gallery for writing
 * and changes it forever, until the parent kills it: enrols batches of 1 to 40 embeddings, each
 * batch under its own label, sometimes removes an earlier batch's label, searches, and commits
 * every few operations.
 *
 * <p>Usage: {@code LuceneCrashChild DIR SEED FIRST_BATCH GROUP_COMMIT(true|false)}. Prints {@code
 * READY} once the gallery is open, then for each operation a line before it starts and one after
 * it returns: {@code ENROL b n} / {@code ENROLLED b firstId}, {@code REMOVE b} / {@code REMOVED b
 * count}, {@code COMMIT} / {@code COMMITTED durableBelow}. Batch {@code b}'s label is {@code "b" +
 * b} and its embedding {@code i} is {@link #vector(long, int)}. {@code System.out} flushes each
 * line, so what the parent reads after a SIGKILL is what happened before it.
 */
public final class LuceneCrashChild {
  static final int DIM = 16;
  static final EmbeddingSpace SPACE = new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "crash-test-model");

  private LuceneCrashChild() {}

  static float[] vector(long batch, int i) {
    return TestVectors.gaussian(batch * 1_000_003L + i, DIM);
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
    long batch = Long.parseLong(args[2]);
    LuceneGalleryBuilder<String> b = LuceneGallery.builder(dir, SPACE, LabelCodec.strings());
    if (Boolean.parseBoolean(args[3])) {
      b.groupCommit(Duration.ofMillis(15));
    }
    List<Long> mine = new ArrayList<>();
    try (LuceneGallery<String> gallery = b.build()) {
      System.out.println("READY");
      for (int op = 0; ; op++) {
        int dice = random.nextInt(100);
        if (dice < 12) {
          System.out.println("COMMIT");
          gallery.commit();
          System.out.println("COMMITTED " + gallery.durableBelow());
        } else if (dice < 20 && !mine.isEmpty()) {
          long victim = mine.remove(random.nextInt(mine.size()));
          System.out.println("REMOVE " + victim);
          int n = gallery.removeLabel("b" + victim);
          System.out.println("REMOVED " + victim + " " + n);
        } else {
          int n = 1 + random.nextInt(40);
          float[][] rows = new float[n][];
          for (int i = 0; i < n; i++) {
            rows[i] = vector(batch, i);
          }
          System.out.println("ENROL " + batch + " " + n);
          long[] ids = gallery.enrol("b" + batch, rows);
          System.out.println("ENROLLED " + batch + " " + ids[0]);
          mine.add(batch);
          batch++;
        }
        if (op % 5 == 4) {
          gallery.nearest(vector(batch - 1, 0), 3); // searches reopen the reader and flush segments
        }
      }
    }
  }
}
