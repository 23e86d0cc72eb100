package io.siamese.bench.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Embeddings a trained encoder makes, for the gallery benchmarks: synthetic glyphs through a
 * Conv-4 (64 floats, Euclidean) trained briefly with a contrastive loss, cached in a file so that
 * reruns skip the training and embedding (minutes at a million).
 *
 * <p>The corpus of {@code size} holds {@code size / 20} glyph classes of 20 examples each (class
 * {@code c}'s examples at {@code 20c .. 20c + 19}, labelled {@code c}); {@link #queries()} are
 * 1,000 held-out examples (a 21st drawing) of enrolled classes, then 1,000 glyphs of classes
 * never enrolled (label -1). {@link #threshold()} is the distance that best separates 2,000
 * same-class from 2,000 different-class pairs of held-out glyphs, as an application would choose
 * its "unknown" threshold. Classes are generated 1,000 at a time from their own seed, so a
 * smaller corpus is a prefix of a larger one: {@link #load} cuts one from any larger cache in the
 * directory rather than embedding again.
 *
 * <pre>{@code
 * EmbeddingCorpus corpus = EmbeddingCorpus.load(100_000, Path.of("siamese-bench/target/corpus"));
 * float[][] gallery = corpus.embeddings();   // [100000][64]
 * }</pre>
 *
 * <p>Immutable; the arrays it returns are shared, not copied: do not change them.
 */
public final class EmbeddingCorpus {
  /** Examples per class. */
  public static final int PER_CLASS = 20;

  /** Floats per embedding. */
  public static final int DIMENSION = 64;

  private static final int CLASSES_PER_CHUNK = 1000;
  private static final int KNOWN_QUERIES = 1000;
  private static final int UNKNOWN_QUERIES = 1000;
  private static final long MAGIC = 0x5349414d434f5250L; // "SIAMCORP"
  private static final int VERSION = 1;
  private static final System.Logger LOG = System.getLogger(EmbeddingCorpus.class.getName());

  private final int size;
  private final float[][] embeddings;
  private final int[] labels;
  private final float[][] queries;
  private final int[] queryLabels;
  private final double threshold;
  private final EmbeddingSpace space;

  private EmbeddingCorpus(
      int size, float[][] embeddings, float[][] heldOut, float[][] unknown, double threshold, String digest) {
    this.size = size;
    this.embeddings = embeddings;
    this.labels = new int[size];
    Arrays.setAll(labels, i -> i / PER_CLASS);
    int classes = size / PER_CLASS;
    int known = Math.min(KNOWN_QUERIES, classes);
    this.queries = new float[known + unknown.length][];
    this.queryLabels = new int[queries.length];
    SplittableRandom r = new SplittableRandom(2024);
    int[] picked = r.ints(0, classes).distinct().limit(known).toArray();
    for (int i = 0; i < known; i++) {
      queries[i] = heldOut[picked[i]];
      queryLabels[i] = picked[i];
    }
    for (int i = 0; i < unknown.length; i++) {
      queries[known + i] = unknown[i];
      queryLabels[known + i] = -1;
    }
    this.threshold = threshold;
    this.space = new EmbeddingSpace(DIMENSION, Distances.EUCLIDEAN, digest);
  }

  /**
   * The corpus of {@code size} embeddings, read from {@code cacheDirectory} or, if no cache there
   * is large enough, made (training and embedding take minutes at a million on 2 cores) and
   * cached there.
   *
   * @param size a positive multiple of 20
   */
  public static EmbeddingCorpus load(int size, Path cacheDirectory) {
    checkArgument(size >= PER_CLASS && size % PER_CLASS == 0, "size must be a positive multiple of %s, got %s", PER_CLASS, size);
    try {
      Files.createDirectories(cacheDirectory);
      Path cached = findCache(cacheDirectory, size);
      if (cached == null) {
        cached = cacheDirectory.resolve(String.format(Locale.ROOT, "corpus-%d-v%d.bin", size, VERSION));
        make(size, cached);
      }
      return read(cached, size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the embedding corpus in " + cacheDirectory, e);
    }
  }

  /**
   * Makes (or checks) the cache: {@code EmbeddingCorpus SIZE [CACHE_DIRECTORY]}, by default
   * {@code siamese-bench/target/corpus}.
   */
  public static void main(String[] args) {
    int size = Integer.parseInt(args[0]);
    Path dir = Path.of(args.length > 1 ? args[1] : "siamese-bench/target/corpus");
    long t = System.nanoTime();
    EmbeddingCorpus c = load(size, dir);
    System.out.printf(Locale.ROOT, "%d embeddings and %d queries in %s (threshold %.4f, model %s), %.1f s%n", c.size(),
        c.queries().length, dir.toAbsolutePath(), c.threshold(), c.space().modelDigest(), (System.nanoTime() - t) / 1e9);
  }

  /** Number of embeddings. */
  public int size() {
    return size;
  }

  /** The embeddings, {@code [size][64]}, class by class. */
  public float[][] embeddings() {
    return embeddings;
  }

  /** The class of each embedding: {@code i / 20}. */
  public int[] labels() {
    return labels;
  }

  /** Query embeddings: held-out examples of enrolled classes, then glyphs of classes never enrolled. */
  public float[][] queries() {
    return queries;
  }

  /** The class of each query, -1 for a class never enrolled. */
  public int[] queryLabels() {
    return queryLabels;
  }

  /** The unknown threshold, a Euclidean distance, chosen from held-out pairs. */
  public double threshold() {
    return threshold;
  }

  /** The space: 64 floats, Euclidean, the digest of the encoder that made them. */
  public EmbeddingSpace space() {
    return space;
  }

  private static Path findCache(Path dir, int size) throws IOException {
    try (var files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("corpus-\\d+-v" + VERSION + "\\.bin"))
          .filter(p -> cachedSize(p) >= size)
          .min((a, b) -> Integer.compare(cachedSize(a), cachedSize(b)))
          .orElse(null);
    }
  }

  private static int cachedSize(Path p) {
    String n = p.getFileName().toString();
    return Integer.parseInt(n.substring("corpus-".length(), n.indexOf("-v")));
  }

  /** Trains the encoder, embeds everything and writes the cache file (atomically). */
  private static void make(int size, Path file) throws IOException {
    long t0 = System.nanoTime();
    LabeledDataset training = SyntheticGlyphs.builder().classes(200).examplesPerClass(20).seed(7).build().generate();
    LabeledDataset pairsSet = SyntheticGlyphs.builder().classes(200).examplesPerClass(4).seed(8).build().generate();
    LabeledDataset unknownSet =
        SyntheticGlyphs.builder().classes(UNKNOWN_QUERIES).examplesPerClass(2).seed(9).build().generate();
    int classes = size / PER_CLASS;
    float[][] embeddings = new float[size][];
    float[][] heldOut = new float[classes][];
    float[][] unknown;
    double threshold;
    String digest;
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(training.shape(), DIMENSION))
            .loss(ContrastiveLoss.similarIsOne())
            .seed(42)
            .build()) {
      model.fit(BalancedPairSampler.of(training, 42), TrainingConfig.builder().epochs(1).stepsPerEpoch(300).batchSize(64).build());
      LOG.log(System.Logger.Level.INFO, "corpus: encoder trained in {0} s", (System.nanoTime() - t0) / 1e9);
      threshold = bestThreshold(model.embed(pairsSet), pairsSet, Distances.EUCLIDEAN);
      float[][] u = model.embed(unknownSet);
      unknown = new float[UNKNOWN_QUERIES][];
      for (int i = 0; i < UNKNOWN_QUERIES; i++) {
        unknown[i] = u[2 * i]; // one glyph per class (the generator draws at least two)
      }
      digest = model.embeddingSpace().modelDigest();
      for (int chunk = 0; chunk * CLASSES_PER_CHUNK < classes; chunk++) {
        int n = Math.min(CLASSES_PER_CHUNK, classes - chunk * CLASSES_PER_CHUNK);
        LabeledDataset glyphs =
            SyntheticGlyphs.builder().classes(n).examplesPerClass(PER_CLASS + 1).seed(1000 + chunk).build().generate();
        float[][] e = model.embed(glyphs);
        for (int c = 0; c < n; c++) {
          int global = chunk * CLASSES_PER_CHUNK + c;
          System.arraycopy(e, c * (PER_CLASS + 1), embeddings, global * PER_CLASS, PER_CLASS);
          heldOut[global] = e[c * (PER_CLASS + 1) + PER_CLASS];
        }
        LOG.log(System.Logger.Level.INFO, "corpus: {0} of {1} classes embedded, {2} s", chunk * CLASSES_PER_CHUNK + n, classes,
            (System.nanoTime() - t0) / 1e9);
      }
    }
    write(file, embeddings, heldOut, unknown, threshold, digest);
  }

  /** The distance that best separates same-class from different-class pairs of {@code e}. */
  static double bestThreshold(float[][] e, LabeledDataset data, Distance d) {
    SplittableRandom r = new SplittableRandom(11);
    int n = 2000;
    double[] same = new double[n];
    double[] diff = new double[n];
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(e.length);
      int[] mates = data.indicesOfClass(data.label(a));
      int b = mates[r.nextInt(mates.length)];
      while (b == a) {
        b = mates[r.nextInt(mates.length)];
      }
      same[i] = d.between(e[a], e[b]);
      int c = r.nextInt(e.length);
      while (data.label(c) == data.label(a)) {
        c = r.nextInt(e.length);
      }
      diff[i] = d.between(e[a], e[c]);
    }
    Arrays.sort(same);
    Arrays.sort(diff);
    // Sweep the candidate thresholds (the same-class distances) against both sorted lists.
    double best = same[0];
    int bestCorrect = -1;
    int j = 0;
    for (int i = 0; i < n; i++) {
      while (j < n && diff[j] <= same[i]) {
        j++;
      }
      int correct = (i + 1) + (n - j);
      if (correct > bestCorrect) {
        bestCorrect = correct;
        best = same[i];
      }
    }
    return best;
  }

  // File layout (little-endian): magic, version, size, classes, unknown, dimension, threshold, digest length + UTF-8,
  // then embeddings, held-out and unknown rows of floats.
  private static void write(Path file, float[][] embeddings, float[][] heldOut, float[][] unknown, double threshold, String digest)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    byte[] d = digest.getBytes(StandardCharsets.UTF_8);
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(40 + d.length).order(ByteOrder.LITTLE_ENDIAN);
      h.putLong(MAGIC).putInt(VERSION).putInt(embeddings.length).putInt(heldOut.length).putInt(unknown.length)
          .putInt(DIMENSION).putDouble(threshold).putInt(d.length).put(d).flip();
      c.write(h);
      for (float[][] rows : new float[][][] {embeddings, heldOut, unknown}) {
        ByteBuffer b = ByteBuffer.allocate(4096 * DIMENSION * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows.length; i++) {
          b.asFloatBuffer().put(rows[i]);
          b.position(b.position() + DIMENSION * 4);
          if (!b.hasRemaining() || i == rows.length - 1) {
            b.flip();
            while (b.hasRemaining()) {
              c.write(b);
            }
            b.clear();
          }
        }
      }
      c.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static EmbeddingCorpus read(Path file, int size) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer h = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
      readFully(c, h);
      h.flip();
      long fileSize = c.size();
      if (h.getLong() != MAGIC || h.getInt() != VERSION) {
        throw new IOException(file + " is not an embedding corpus of version " + VERSION);
      }
      int n = h.getInt();
      int classes = h.getInt();
      int unknownCount = h.getInt();
      int dim = h.getInt();
      double threshold = h.getDouble();
      int digestLength = h.getInt();
      long expected = 40L + digestLength + 4L * dim * ((long) n + classes + unknownCount);
      if (dim != DIMENSION || n < size || classes != n / PER_CLASS || digestLength < 0 || digestLength > 1024
          || unknownCount < 0 || unknownCount > 100_000 || expected != fileSize) {
        throw new IOException(file + " is damaged: its header does not match its length (delete it to rebuild)");
      }
      ByteBuffer db = ByteBuffer.allocate(digestLength);
      readFully(c, db);
      String digest = new String(db.array(), StandardCharsets.UTF_8);
      float[][] embeddings = rows(c, 40L + digestLength, size);
      float[][] heldOut = rows(c, 40L + digestLength + 4L * dim * n, size / PER_CLASS);
      float[][] unknown = rows(c, 40L + digestLength + 4L * dim * ((long) n + classes), unknownCount);
      return new EmbeddingCorpus(size, embeddings, heldOut, unknown, threshold, digest);
    }
  }

  private static float[][] rows(FileChannel c, long offset, int count) throws IOException {
    float[][] out = new float[count][DIMENSION];
    ByteBuffer b = ByteBuffer.allocate(4096 * DIMENSION * 4).order(ByteOrder.LITTLE_ENDIAN);
    c.position(offset);
    for (int i = 0; i < count; ) {
      b.clear();
      b.limit(Math.min(b.capacity(), (count - i) * DIMENSION * 4));
      readFully(c, b);
      b.flip();
      var f = b.asFloatBuffer();
      while (f.hasRemaining()) {
        f.get(out[i++]);
      }
    }
    return out;
  }

  private static void readFully(FileChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
