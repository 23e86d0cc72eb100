package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.KochHead;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, bad input: every wrong argument, wrong space, foreign or damaged directory gets a
 * clear exception naming the problem (and the directory, where there is one), never a crash or a
 * silently wrong answer; a refused directory is left as it was. The documented table of messages is
 * {@link LuceneErrorTableTest}'s.
 */
class ReliabilityLuceneBadInputTest {
  private static final int DIM = 8;
  private static final EmbeddingSpace SPACE = new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-a");

  @TempDir Path tmp;

  private static float[] vector(long seed) {
    return TestVectors.gaussian(seed, DIM);
  }

  private static <T extends Throwable> T fails(Class<T> type, Executable call, String... fragments) {
    T e = assertThrows(type, call);
    for (String f : fragments) {
      assertTrue(e.getMessage() != null && e.getMessage().contains(f), "'" + e.getMessage() + "' does not say '" + f + "'");
    }
    return e;
  }

  private LuceneGallery<String> open(Path dir) {
    return LuceneGallery.builder(dir, SPACE, LabelCodec.strings()).build();
  }

  /** A committed gallery of 200 embeddings (the vector file is then large enough to damage in its middle). */
  private Path gallery() {
    Path dir = tmp.resolve("gallery");
    try (LuceneGallery<String> g = open(dir)) {
      for (int i = 0; i < 200; i++) {
        g.enrol("label-" + (i % 10), vector(i));
      }
      g.commit();
    }
    return dir;
  }

  @Test
  void wrongEmbeddingsAndQueries() {
    try (LuceneGallery<String> g = open(tmp.resolve("g"))) {
      fails(IllegalArgumentException.class, () -> g.enrol("a", new float[DIM - 1]), "embedding has 7 floats", "the gallery's embeddings have 8");
      float[] nan = vector(1);
      nan[2] = Float.NaN;
      fails(IllegalArgumentException.class, () -> g.enrol("a", nan), "NaN", "position 2");
      float[] inf = vector(1);
      inf[0] = Float.POSITIVE_INFINITY;
      fails(IllegalArgumentException.class, () -> g.enrol("a", new float[][] {vector(2), inf}), "embedding 1", "Infinity");
      float[] huge = vector(1);
      huge[0] = 1e30f;
      fails(IllegalArgumentException.class, () -> g.enrol("a", huge), "too large");
      fails(IllegalArgumentException.class, () -> g.enrol("a", new float[0][]), "at least one embedding");
      assertEquals(0, g.enrolAll(List.of(), new float[0][]).length);
      fails(NullPointerException.class, () -> g.enrol("a", (float[][]) null), "embeddings");
      fails(NullPointerException.class, () -> g.enrol(null, vector(1)), "label");
      fails(IllegalArgumentException.class, () -> g.enrolAll(List.of("a"), new float[][] {vector(1), vector(2)}), "1 labels for 2 embeddings");
      fails(IllegalArgumentException.class, () -> g.enrol("x".repeat(40_000), vector(1)), "40000 bytes");
      assertEquals(0, g.size());
      g.enrol("a", vector(1));
      fails(IllegalArgumentException.class, () -> g.nearest(vector(1), 0), "k must be >= 1, got 0");
      fails(IllegalArgumentException.class, () -> g.nearest(new float[DIM + 1], 1), "query has 9 floats");
      fails(IllegalArgumentException.class, () -> g.nearest(nan, 1), "query holds NaN at position 2");
      fails(IllegalArgumentException.class, () -> g.classify(vector(1), 0), "unknown threshold must be > 0");
      fails(IllegalArgumentException.class, () -> g.forceMerge(0), "maxSegments must be >= 1");
    }
  }

  @Test
  void cosineGalleriesRefuseZeroVectors() {
    EmbeddingSpace cosine = new EmbeddingSpace(DIM, Distances.COSINE, "model-a");
    try (LuceneGallery<String> g = LuceneGallery.builder(tmp.resolve("g"), cosine, LabelCodec.strings()).build()) {
      fails(IllegalArgumentException.class, () -> g.enrol("a", new float[DIM]), "embedding is all zeros", "cosine");
      g.enrol("a", vector(1));
      fails(IllegalArgumentException.class, () -> g.nearest(new float[DIM], 1), "query is all zeros");
      float[] tiny = new float[DIM];
      tiny[0] = 1e-30f;
      fails(IllegalArgumentException.class, () -> g.nearest(tiny, 1), "too close to zero");
    }
  }

  @Test
  void labelCodecsThatCannotReadTheGalleryOrRoundTrip() {
    Path dir = tmp.resolve("g");
    try (LuceneGallery<String> g = open(dir)) {
      g.enrol("not-a-number", vector(1));
      g.commit();
    }
    try (LuceneGallery<Integer> g = LuceneGallery.builder(dir, SPACE, LabelCodec.integers()).build()) {
      fails(IllegalArgumentException.class, () -> g.nearest(vector(1), 1), "'not-a-number'", dir.toAbsolutePath().toString(), "another codec");
      fails(IllegalArgumentException.class, g::labels, "'not-a-number'");
    }
    LabelCodec<String> lossy = LabelCodec.of(String::trim, s -> s);
    try (LuceneGallery<String> g = LuceneGallery.builder(tmp.resolve("h"), SPACE, lossy).build()) {
      fails(IllegalArgumentException.class, () -> g.enrol(" padded ", vector(1)), "does not round-trip");
    }
  }

  @Test
  void distancesHnswCannotIndex() {
    for (EmbeddingSpace s :
        List.of(
            new EmbeddingSpace(DIM, Distances.L1, "m"),
            new EmbeddingSpace(DIM, new KochHead(new float[DIM], 0.5f), "m"))) {
      fails(
          IllegalArgumentException.class,
          () -> LuceneGallery.builder(tmp.resolve("g"), s, LabelCodec.strings()).build(),
          "'" + s.distance().name() + "' cannot be indexed");
    }
    fails(
        IllegalArgumentException.class,
        () -> LuceneGallery.builder(tmp.resolve("g"), new EmbeddingSpace(2000, Distances.EUCLIDEAN, "m"), LabelCodec.strings()).build(),
        "at most 1024 floats");
    assertTrue(Files.notExists(tmp.resolve("g")), "a refused build left a directory behind");
  }

  @Test
  void aGalleryOfAnotherSpaceIsRefused() {
    Path dir = gallery();
    Map<EmbeddingSpace, String> others =
        Map.of(
            new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-b"), "another model",
            new EmbeddingSpace(DIM + 1, Distances.EUCLIDEAN, "model-a"), "floats",
            new EmbeddingSpace(DIM, Distances.COSINE, "model-a"), "distance");
    others.forEach(
        (space, why) -> {
          fails(
              IllegalArgumentException.class,
              () -> LuceneGallery.builder(dir, space, LabelCodec.strings()).build(),
              dir.toString(), "cannot be opened in this space", why);
          fails(
              IllegalArgumentException.class,
              () -> LuceneGallery.builder(dir, space, LabelCodec.strings()).readOnly().build(),
              dir.toString(), why);
        });
    try (LuceneGallery<String> g = open(dir)) {
      assertEquals(200, g.size()); // untouched
    }
  }

  @Test
  void directoriesThatAreNotGalleries() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "hello");
    fails(IllegalArgumentException.class, () -> open(file), "is a file");
    Path docs = tmp.resolve("documents");
    Files.createDirectories(docs);
    Files.writeString(docs.resolve("notes.txt"), "mine");
    fails(IllegalArgumentException.class, () -> open(docs), "is not a gallery", "'notes.txt'");
    assertEquals(List.of("notes.txt"), list(docs), "a refused open touched the directory");
    fails(IllegalArgumentException.class,
        () -> LuceneGallery.builder(tmp.resolve("absent"), SPACE, LabelCodec.strings()).readOnly().build(), "no gallery");

    Path foreign = tmp.resolve("foreign");
    try (FSDirectory d = FSDirectory.open(foreign);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Document doc = new Document();
      doc.add(new StringField("title", "someone else's index", Field.Store.YES));
      w.addDocument(doc);
      w.commit();
    }
    List<String> before = list(foreign);
    fails(IllegalArgumentException.class, () -> open(foreign), "not a siamese gallery");
    fails(IllegalArgumentException.class,
        () -> LuceneGallery.builder(foreign, SPACE, LabelCodec.strings()).readOnly().build(), "not a siamese gallery");
    assertEquals(before, list(foreign), "a refused open changed a foreign index");
  }

  @Test
  void aNewerFormatIsRefused() throws IOException {
    Path dir = tmp.resolve("newer");
    try (FSDirectory d = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Map<String, String> data = new java.util.HashMap<>(CommitData.of(SPACE, 0).toMap());
      data.put(CommitData.FORMAT_KEY, "2");
      w.setLiveCommitData(data.entrySet());
      w.commit();
    }
    fails(IllegalArgumentException.class, () -> open(dir), "format 2", "newer siamese-lucene");
  }

  @Test
  void damagedIndexesAreRefusedNamingTheDirectory() throws IOException {
    List<Consumer<Path>> damages =
        List.of(
            dir -> flipByteInTheMiddle(largest(dir)),
            dir -> truncate(largest(dir)),
            dir -> truncate(segmentsFile(dir)),
            dir -> overwrite(segmentsFile(dir)),
            dir -> delete(largest(dir)));
    for (int i = 0; i < damages.size(); i++) {
      Path dir = gallery();
      damages.get(i).accept(dir);
      for (boolean readOnly : new boolean[] {false, true}) {
        LuceneGalleryBuilder<String> b = LuceneGallery.builder(dir, SPACE, LabelCodec.strings());
        if (readOnly) {
          b.readOnly();
        }
        fails(IllegalArgumentException.class, b::build, dir.toString(), "damaged");
      }
      deleteRecursively(dir);
    }
  }

  @Test
  void aDamagedIdLeaseIsRefusedNamingTheFile() throws IOException {
    Path dir = gallery();
    flipByteInTheMiddle(dir.resolve(IdLease.FILE));
    fails(IllegalArgumentException.class, () -> open(dir), IdLease.FILE, "damaged", "delete that file");
    Files.delete(dir.resolve(IdLease.FILE));
    try (LuceneGallery<String> g = open(dir)) {
      assertEquals(200, g.enrol("next", vector(1)), "without the lease, ids continue after the largest in the index");
    }
  }

  @Test
  void whatACrashedCreationLeavesIsCleanedUp() throws IOException {
    Path dir = tmp.resolve("half");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("write.lock"), "");
    Files.writeString(dir.resolve("pending_segments_1"), "half a commit");
    Files.writeString(dir.resolve("_0.cfs"), "half a segment");
    try (LuceneGallery<String> g = open(dir)) {
      g.enrol("a", vector(1));
      g.commit();
    }
    try (LuceneGallery<String> g = open(dir)) {
      assertEquals(1, g.size());
    }
  }

  @Test
  void builderSettings() {
    LuceneGalleryBuilder<String> b = LuceneGallery.builder(tmp.resolve("g"), SPACE, LabelCodec.strings());
    fails(IllegalArgumentException.class, () -> b.hnsw(0, 100), "maxConnections must be in [1, 512], got 0");
    fails(IllegalArgumentException.class, () -> b.hnsw(16, 0), "beamWidth must be in [1, 3200], got 0");
    fails(IllegalArgumentException.class, () -> b.candidates(0), "candidates must be in [1, 10000], got 0");
    fails(IllegalArgumentException.class, () -> b.groupCommit(Duration.ZERO), "between 1 ms and 1 day");
    fails(IllegalArgumentException.class, () -> b.groupCommitEvery(0), "must be >= 1, got 0");
    fails(IllegalArgumentException.class, () -> b.indexingBufferMegabytes(0.5), "[1, 2000] MB");
    b.candidates(10);
    fails(IllegalStateException.class, () -> b.candidates(20), "candidates was already set to 10");
    fails(IllegalArgumentException.class,
        () -> LuceneGallery.builder(tmp.resolve("g"), SPACE, LabelCodec.strings()).readOnly().groupCommitEvery(5).build(),
        "read-only");
  }

  // --- damage helpers -------------------------------------------------------------------------

  private static List<String> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path largest(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().equals("write.lock"))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path segmentsFile(Path dir) {
    return list(dir).stream().filter(n -> n.startsWith("segments_")).map(dir::resolve).findFirst().orElseThrow();
  }

  private static void flipByteInTheMiddle(Path file) {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long at = c.size() / 2;
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      c.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
      c.write(b, at);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void truncate(Path file) {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void overwrite(Path file) {
    try {
      byte[] junk = new byte[(int) Files.size(file)];
      new SplittableRandom(3).nextBytes(junk);
      Files.write(file, junk);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
