package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Every bad input of the Lucene gallery, as one table: each case runs, and the rows it produces
 * (entry point, bad input, exception, message) must be the ones in the "Lucene gallery" section of
 * docs/errors.md, in order. Paths show as {@code /data}; the details Lucene adds to a damaged
 * file's exception (checksums, offsets) as "...". {@code -Dsiamese.errors.print=true} prints the
 * rows.
 */
class LuceneErrorTableTest {
  private static final int DIM = 8;
  private static final EmbeddingSpace SPACE = new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-a");
  private static final EmbeddingSpace COSINE = new EmbeddingSpace(DIM, Distances.COSINE, "model-a");

  @TempDir Path tmp;

  private final List<String> rows = new ArrayList<>();

  private void row(String entry, String input, Class<? extends Throwable> type, Executable call) {
    Throwable e = assertThrows(type, call, entry + ": " + input);
    String message =
        e.getMessage()
            .replace(tmp.toAbsolutePath().toString(), "/data")
            .replaceAll("files: ([\\w.]+Exception): .*\\); restore", "files: $1: ...); restore")
            .replaceAll("damaged, or its files are damaged \\(.*\\); restore", "damaged (...); restore")
            .replaceAll("is damaged \\(checksum failed .*\\); delete", "is damaged (checksum failed ...); delete")
            .replace("|", "\\|");
    rows.add("| `" + entry + "` | " + input + " | `" + type.getSimpleName() + "` | " + message + " |");
  }

  private static float[] vector(long seed) {
    return TestVectors.gaussian(seed, DIM);
  }

  private static LuceneGalleryBuilder<String> builder(Path dir, EmbeddingSpace space) {
    return LuceneGallery.builder(dir, space, LabelCodec.strings());
  }

  private Path committed(String name) {
    Path dir = tmp.resolve(name);
    try (LuceneGallery<String> g = builder(dir, SPACE).build()) {
      for (int i = 0; i < 100; i++) {
        g.enrol("label-" + i % 7, vector(i));
      }
      g.commit();
    }
    return dir;
  }

  @Test
  void everyBadInputGetsTheExceptionAndMessageDocumentedInErrorsMd() throws IOException {
    String build = "LuceneGalleryBuilder.build";
    row(build, "the L1 distance", IllegalArgumentException.class,
        () -> builder(tmp.resolve("l1"), new EmbeddingSpace(DIM, Distances.L1, "m")).build());
    row(build, "the Koch head's learned distance", IllegalArgumentException.class,
        () -> builder(tmp.resolve("koch"), new EmbeddingSpace(DIM, new KochHead(new float[DIM], 0.5f), "m")).build());
    row(build, "2,000 floats per embedding", IllegalArgumentException.class,
        () -> builder(tmp.resolve("wide"), new EmbeddingSpace(2000, Distances.EUCLIDEAN, "m")).build());
    Path gallery = committed("faces");
    row(build, "a gallery made by another model", IllegalArgumentException.class,
        () -> builder(gallery, new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "model-b")).build());
    row(build, "a gallery of 8-float embeddings, a space of 9", IllegalArgumentException.class,
        () -> builder(gallery, new EmbeddingSpace(DIM + 1, Distances.EUCLIDEAN, "model-a")).build());
    row(build, "a Euclidean gallery, a cosine space", IllegalArgumentException.class, () -> builder(gallery, COSINE).build());
    Path file = Files.writeString(tmp.resolve("notes.txt"), "hello");
    row(build, "a file", IllegalArgumentException.class, () -> builder(file, SPACE).build());
    Path documents = Files.createDirectories(tmp.resolve("documents"));
    Files.writeString(documents.resolve("notes.txt"), "mine");
    row(build, "a directory of other files", IllegalArgumentException.class, () -> builder(documents, SPACE).build());
    Path foreign = tmp.resolve("foreign");
    try (FSDirectory d = FSDirectory.open(foreign);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Document doc = new Document();
      doc.add(new StringField("title", "someone else's", Field.Store.YES));
      w.addDocument(doc);
      w.commit();
    }
    row(build, "a Lucene index that is not a gallery", IllegalArgumentException.class, () -> builder(foreign, SPACE).build());
    Path newer = tmp.resolve("newer");
    try (FSDirectory d = FSDirectory.open(newer);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Map<String, String> data = new HashMap<>(CommitData.of(SPACE, 0).toMap());
      data.put(CommitData.FORMAT_KEY, "2");
      w.setLiveCommitData(data.entrySet());
      w.commit();
    }
    row(build, "a gallery of a newer format", IllegalArgumentException.class, () -> builder(newer, SPACE).build());
    Path flipped = committed("flipped");
    flipByte(largest(flipped));
    row(build, "one bit flipped in the vectors' file", IllegalArgumentException.class, () -> builder(flipped, SPACE).build());
    Path truncated = committed("truncated");
    truncate(largest(truncated));
    row(build, "a truncated segment file", IllegalArgumentException.class, () -> builder(truncated, SPACE).build());
    Path commitPoint = committed("commit-point");
    truncate(file(commitPoint, "segments_"));
    row(build, "a truncated commit point (segments_N)", IllegalArgumentException.class, () -> builder(commitPoint, SPACE).build());
    Path missing = committed("missing");
    Files.delete(largest(missing));
    row(build, "a deleted segment file", IllegalArgumentException.class, () -> builder(missing, SPACE).build());
    Path lease = committed("lease");
    flipByte(lease.resolve(IdLease.FILE));
    row(build, "a damaged id lease", IllegalArgumentException.class, () -> builder(lease, SPACE).build());
    try (LuceneGallery<String> writer = builder(gallery, SPACE).build()) {
      row(build, "a second writer of one directory", IllegalStateException.class, () -> builder(gallery, SPACE).build());
    }
    row(build, "read-only, nothing at the path", IllegalArgumentException.class,
        () -> builder(tmp.resolve("absent"), SPACE).readOnly().build());
    row(build, "read-only with group commit", IllegalArgumentException.class,
        () -> builder(gallery, SPACE).readOnly().groupCommitEvery(10).build());

    LuceneGalleryBuilder<String> b = builder(tmp.resolve("settings"), SPACE);
    row("LuceneGalleryBuilder.hnsw", "maxConnections 0", IllegalArgumentException.class, () -> b.hnsw(0, 100));
    row("LuceneGalleryBuilder.hnsw", "beamWidth 4000", IllegalArgumentException.class, () -> b.hnsw(16, 4000));
    row("LuceneGalleryBuilder.candidates", "0", IllegalArgumentException.class, () -> b.candidates(0));
    b.candidates(50);
    row("LuceneGalleryBuilder.candidates", "set twice", IllegalStateException.class, () -> b.candidates(60));
    row("LuceneGalleryBuilder.groupCommit", "a zero interval", IllegalArgumentException.class, () -> b.groupCommit(Duration.ZERO));
    row("LuceneGalleryBuilder.groupCommitEvery", "0 enrolments", IllegalArgumentException.class, () -> b.groupCommitEvery(0));
    row("LuceneGalleryBuilder.indexingBufferMegabytes", "0.5", IllegalArgumentException.class, () -> b.indexingBufferMegabytes(0.5));

    try (LuceneGallery<String> g = builder(tmp.resolve("g"), SPACE).build();
        LuceneGallery<String> cosine = builder(tmp.resolve("cosine"), COSINE).build();
        LuceneGallery<String> lossy = LuceneGallery.builder(tmp.resolve("lossy"), SPACE, LabelCodec.of(String::trim, s -> s)).build()) {
      float[] nan = vector(1);
      nan[3] = Float.NaN;
      row("LuceneGallery.enrol", "NaN in the second embedding", IllegalArgumentException.class,
          () -> g.enrol("a", new float[][] {vector(2), nan}));
      row("LuceneGallery.enrol", "7 floats for a space of 8", IllegalArgumentException.class, () -> g.enrol("a", new float[DIM - 1]));
      row("LuceneGallery.enrol", "no embeddings", IllegalArgumentException.class, () -> g.enrol("a", new float[0][]));
      row("LuceneGallery.enrol", "null label", NullPointerException.class, () -> g.enrol(null, vector(1)));
      float[] huge = vector(1);
      huge[0] = 1e30f;
      row("LuceneGallery.enrol", "a value of 1e30", IllegalArgumentException.class, () -> g.enrol("a", huge));
      row("LuceneGallery.enrol", "a label of 40,000 characters", IllegalArgumentException.class,
          () -> g.enrol("x".repeat(40_000), vector(1)));
      row("LuceneGallery.enrol", "a LabelCodec that does not round-trip", IllegalArgumentException.class,
          () -> lossy.enrol(" padded ", vector(1)));
      row("LuceneGallery.enrol", "a zero vector, cosine distance", IllegalArgumentException.class,
          () -> cosine.enrol("a", new float[DIM]));
      row("LuceneGallery.enrolAll", "1 label for 2 embeddings", IllegalArgumentException.class,
          () -> g.enrolAll(List.of("a"), new float[][] {vector(1), vector(2)}));
      row("LuceneGallery.enrolAll", "a null label", NullPointerException.class,
          () -> g.enrolAll(java.util.Arrays.asList("a", null), new float[][] {vector(1), vector(2)}));
      g.enrol("a", vector(1));
      cosine.enrol("a", vector(1));
      row("LuceneGallery.nearest", "k = 0", IllegalArgumentException.class, () -> g.nearest(vector(1), 0));
      row("LuceneGallery.nearest", "NaN in the query", IllegalArgumentException.class, () -> g.nearest(nan, 1));
      row("LuceneGallery.nearest", "9 floats for a space of 8", IllegalArgumentException.class, () -> g.nearest(new float[DIM + 1], 1));
      row("LuceneGallery.nearest", "a zero query, cosine distance", IllegalArgumentException.class,
          () -> cosine.nearest(new float[DIM], 1));
      row("LuceneGallery.classify", "threshold 0", IllegalArgumentException.class, () -> g.classify(vector(1), 0));
      row("LuceneGallery.forceMerge", "0 segments", IllegalArgumentException.class, () -> g.forceMerge(0));
      g.commit();
    }
    try (LuceneGallery<Integer> g = LuceneGallery.builder(tmp.resolve("g"), SPACE, LabelCodec.integers()).build()) {
      row("LuceneGallery.nearest", "a stored label the LabelCodec cannot decode", IllegalArgumentException.class,
          () -> g.nearest(vector(1), 1));
    }
    try (LuceneGallery<String> reader = builder(gallery, SPACE).readOnly().build()) {
      row("LuceneGallery.enrol", "a read-only gallery", IllegalStateException.class, () -> reader.enrol("a", vector(1)));
      row("LuceneGallery.removeLabel", "a read-only gallery", IllegalStateException.class, () -> reader.removeLabel("a"));
    }
    LuceneGallery<String> closed = builder(tmp.resolve("closed"), SPACE).build();
    closed.close();
    row("LuceneGallery.nearest", "a closed gallery", IllegalStateException.class, () -> closed.nearest(vector(1), 1));
    row("LuceneGallery.enrol", "a closed gallery", IllegalStateException.class, () -> closed.enrol("a", vector(1)));
    row("LuceneGallery.commit", "a closed gallery", IllegalStateException.class, closed::commit);

    if (Boolean.getBoolean("siamese.errors.print")) {
      rows.forEach(System.out::println);
    }
    Path doc = Path.of("..", "docs", "errors.md");
    assumeTrue(Files.exists(doc), "docs/errors.md is not beside this module; the table was not compared");
    assertEquals(String.join("\n", rows), String.join("\n", documentedRows(doc)),
        "docs/errors.md's Lucene table and the cases differ; regenerate it with -Dsiamese.errors.print=true");
  }

  /** The table rows of the "Lucene gallery" section of errors.md. */
  private static List<String> documentedRows(Path doc) throws IOException {
    List<String> out = new ArrayList<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith("## ")) {
        inSection = line.startsWith("## Lucene gallery");
      } else if (inSection && line.startsWith("| `")) {
        out.add(line);
      }
    }
    return out;
  }

  private static Path largest(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().equals("write.lock"))
          .max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  private static Path file(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
    }
  }

  private static void flipByte(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long at = c.size() / 2;
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      c.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
      c.write(b, at);
    }
  }

  private static void truncate(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    }
  }
}
