package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.KochHead;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * The rows of {@code docs/errors.md} "Elasticsearch gallery (siamese-elasticsearch)": each case
 * here is one row, in order, and the test fails if the table and the cases drift apart. The
 * server's address shows as {@code http://127.0.0.1:9200} and the index as {@code faces}. {@code
 * -Dsiamese.errors.print=true} prints the rows with today's messages. A refused call leaves the
 * gallery as it was.
 */
@ExtendWith(ElasticsearchServer.class)
class BadInputTest {
  private static final String SECTION = "## Elasticsearch gallery (siamese-elasticsearch)";
  private static final EmbeddingSpace SPACE = Fixtures.space(4, Distances.EUCLIDEAN, "model-a");
  private static final EmbeddingSpace COSINE = Fixtures.space(4, Distances.COSINE, "model-a");
  private static final float[] OK = {1, 2, 3, 4};

  private record Case(
      String entryPoint, String badInput, Class<? extends Throwable> type, String fragment, Executable call) {}

  private static String url;
  private static String index;
  private static String cosineIndex;
  private static ElasticsearchGallery<String> gallery;
  private static ElasticsearchGallery<String> cosine;
  private static ElasticsearchGallery<String> readOnly;
  private static ElasticsearchGallery<String> closed;
  private static List<Case> cases;

  @BeforeAll
  static void galleries(LocalElasticsearch es) throws IOException {
    url = es.url();
    index = Fixtures.index("bad");
    cosineIndex = Fixtures.index("bad-cos");
    gallery = Fixtures.gallery(es, index, SPACE).build();
    gallery.enrol("x", OK);
    cosine = Fixtures.gallery(es, cosineIndex, COSINE).build();
    readOnly = ElasticsearchGallery.builder(LabelCodec.strings()).host(url).index(index).space(SPACE).readOnly().build();
    closed = Fixtures.gallery(es, Fixtures.index("bad-closed"), SPACE).build();
    closed.close();
    ElasticsearchClient raw = Fixtures.rawClient(es);
    try {
      raw.indices().create(c -> c.index("bad-foreign").mappings(m -> m.properties("title", p -> p.text(t -> t))));
    } finally {
      raw._transport().close();
    }
    cases = cases();
  }

  @AfterAll
  static void close() {
    for (ElasticsearchGallery<String> g : Arrays.asList(gallery, cosine, readOnly)) {
      if (g != null) {
        g.close();
      }
    }
  }

  private static ElasticsearchGalleryBuilder<String> builder() {
    return ElasticsearchGallery.builder(LabelCodec.strings());
  }

  private static List<Case> cases() throws IOException {
    List<Case> t = new ArrayList<>();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // closed again: nothing listens there
    }
    t.add(new Case("ElasticsearchGalleryBuilder.build", "a cluster that does not answer",
        ElasticsearchGalleryException.class, "cannot reach Elasticsearch at http://127.0.0.1:9200 while looking for index",
        () -> builder().host("http://127.0.0.1:" + closedPort).index("faces").space(SPACE).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "the L1 distance", IllegalArgumentException.class,
        "an Elasticsearch gallery cannot index the distance l1",
        () -> builder().host(url).index("faces").space(Fixtures.space(4, Distances.L1, "m")).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "the Koch head's learned distance", IllegalArgumentException.class,
        "cannot index the distance koch_head",
        () -> builder().host(url).index("faces").space(Fixtures.space(4, new KochHead(new float[4], 0f), "m")).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "an index made by another model", IllegalArgumentException.class,
        "was made in another space: it was made by another model",
        () -> builder().host(url).index(index).space(Fixtures.space(4, Distances.EUCLIDEAN, "model-b")).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "an index of 4-float embeddings, a space of 8",
        IllegalArgumentException.class, "was made in another space: its embeddings have 4 floats, this space's 8",
        () -> builder().host(url).index(index).space(Fixtures.space(8, Distances.EUCLIDEAN, "model-a")).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "an index that is not a gallery", IllegalArgumentException.class,
        "is not a siamese gallery: its mapping has no _meta.siamese_format",
        () -> builder().host(url).index("bad-foreign").space(SPACE).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "index options other than the index's",
        IllegalArgumentException.class, "indexes its vectors with hnsw(m=16, ef_construction=100), not the "
            + "int8_hnsw(m=16, ef_construction=100) asked for",
        () -> builder().host(url).index(index).space(SPACE).vectorIndex(VectorIndex.int8Hnsw()).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "read-only, and the index does not exist",
        IllegalArgumentException.class, "there is no index 'bad-missing' on Elasticsearch at http://127.0.0.1:9200, and "
            + "a read-only gallery does not create one",
        () -> builder().host(url).index("bad-missing").space(SPACE).readOnly().build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "no host or client", IllegalStateException.class,
        "the cluster must be set: call host(url) or client(client)", () -> builder().index("faces").space(SPACE).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.index", "uppercase", IllegalArgumentException.class,
        "'Faces' is not a valid Elasticsearch index name", () -> builder().index("Faces")));
    t.add(new Case("ElasticsearchGalleryBuilder.host", "not a URL", IllegalArgumentException.class,
        "'not a url' is not a host URL", () -> builder().host("not a url").index("faces").space(SPACE).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.build", "read-only with settings for a new index",
        IllegalStateException.class, "apply when the gallery creates its index; a read-only gallery never does",
        () -> builder().host(url).index("faces").space(SPACE).readOnly().shards(2).build()));
    t.add(new Case("ElasticsearchGalleryBuilder.candidates", "10001", IllegalArgumentException.class,
        "candidates must be in 1..10000, got 10001", () -> builder().candidates(10_001)));
    t.add(new Case("VectorIndex.hnsw", "m = 0", IllegalArgumentException.class, "m must be in 1..512, got 0",
        () -> VectorIndex.hnsw(0, 100)));
    t.add(new Case("ElasticsearchGallery.enrol", "NaN in the second embedding", IllegalArgumentException.class,
        "embedding 1 holds NaN at position 3; embeddings must be finite",
        () -> gallery.enrol("y", new float[][] {OK, {1, 2, 3, Float.NaN}})));
    t.add(new Case("ElasticsearchGallery.enrol", "3 floats for a space of 4", IllegalArgumentException.class,
        "embedding has 3 floats; the gallery's embeddings have 4", () -> gallery.enrol("y", new float[] {1, 2, 3})));
    t.add(new Case("ElasticsearchGallery.enrol", "no embeddings", IllegalArgumentException.class,
        "enrol needs at least one embedding of y, got none", () -> gallery.enrol("y", new float[0][])));
    t.add(new Case("ElasticsearchGallery.enrol", "null label", NullPointerException.class, "label",
        () -> gallery.enrol(null, OK)));
    t.add(new Case("ElasticsearchGallery.enrol", "a label of 40,000 characters", IllegalArgumentException.class,
        "label 0 is 40000 chars as text; Elasticsearch keeps labels of at most 32766 UTF-8 bytes",
        () -> gallery.enrol("x".repeat(40_000), OK)));
    t.add(new Case("ElasticsearchGallery.enrol", "a zero vector, cosine distance", IllegalArgumentException.class,
        "embedding 0 has length 0: its cosine distance to anything is undefined (Elasticsearch refuses it)",
        () -> cosine.enrol("zero", new float[4])));
    t.add(new Case("ElasticsearchGallery.enrolAll", "1 label for 2 embeddings", IllegalArgumentException.class,
        "1 labels for 2 embeddings; give one label per embedding",
        () -> gallery.enrolAll(List.of("a"), new float[][] {OK, OK})));
    t.add(new Case("ElasticsearchGallery.enrolAll", "a null label", NullPointerException.class, "label 1 is null",
        () -> gallery.enrolAll(Arrays.asList("a", null), new float[][] {OK, OK})));
    t.add(new Case("ElasticsearchGallery.nearest", "k = 0", IllegalArgumentException.class, "k must be >= 1, got 0",
        () -> gallery.nearest(OK, 0)));
    t.add(new Case("ElasticsearchGallery.nearest", "k = 10001", IllegalArgumentException.class,
        "k must be <= 10000 (Elasticsearch's limit on kNN), got 10001", () -> gallery.nearest(OK, 10_001)));
    t.add(new Case("ElasticsearchGallery.nearest", "NaN in the query", IllegalArgumentException.class,
        "the query holds NaN at position 1; embeddings must be finite",
        () -> gallery.nearest(new float[] {1, Float.NaN, 0, 0}, 1)));
    t.add(new Case("ElasticsearchGallery.nearest", "5 floats for a space of 4", IllegalArgumentException.class,
        "the query has 5 floats; the gallery's embeddings have 4", () -> gallery.nearest(new float[5], 1)));
    t.add(new Case("ElasticsearchGallery.nearest", "a zero query, cosine distance", IllegalArgumentException.class,
        "the query has length 0: its cosine distance to anything is undefined", () -> cosine.nearest(new float[4], 1)));
    t.add(new Case("ElasticsearchGallery.classify", "threshold 0", IllegalArgumentException.class,
        "unknown threshold must be > 0", () -> gallery.classify(OK, 0)));
    t.add(new Case("ElasticsearchGallery.enrol", "a read-only gallery", IllegalStateException.class,
        "this gallery of index 'faces' was opened read-only", () -> readOnly.enrol("y", OK)));
    t.add(new Case("ElasticsearchGallery.removeLabel", "a read-only gallery", IllegalStateException.class,
        "this gallery of index 'faces' was opened read-only", () -> readOnly.removeLabel("x")));
    t.add(new Case("ElasticsearchGallery.nearest", "a closed gallery", IllegalStateException.class,
        "this gallery is closed", () -> closed.nearest(OK, 1)));
    t.add(new Case("ElasticsearchGallery.enrol", "a closed gallery", IllegalStateException.class,
        "this gallery is closed", () -> closed.enrol("y", OK)));
    t.add(new Case("ElasticsearchGallery.commit", "a closed gallery", IllegalStateException.class,
        "this gallery is closed", closed::commit));
    return t;
  }

  /** Messages as the docs show them: the test server's address and index names made generic. */
  private static String docText(String s) {
    return s.replaceAll("http://127\\.0\\.0\\.1:\\d+", "http://127.0.0.1:9200")
        .replace(cosineIndex, "faces").replace(index, "faces");
  }

  @Test
  void everyCaseThrowsWhatItsRowSays() {
    for (Case c : cases) {
      Throwable thrown = assertThrows(c.type(), c.call(), c.badInput());
      String message = docText(String.valueOf(thrown.getMessage()));
      assertTrue(message.contains(c.fragment()), c.badInput() + ": message \"" + message + "\" lacks \"" + c.fragment() + "\"");
    }
    assertEquals(1, gallery.size(), "a refused call enrolled something");
    assertEquals(0, cosine.size(), "a refused call enrolled something");
  }

  @Test
  void everyMethodOfAClosedGalleryRefusesAndCloseIsIdempotent() {
    closed.close();
    for (Executable call : List.<Executable>of(
        () -> closed.enrol("y", OK), () -> closed.enrolAll(List.of("y"), new float[][] {OK}), () -> closed.remove(0),
        () -> closed.removeLabel("x"), () -> closed.nearest(OK, 1), () -> closed.classify(OK, 1.0), closed::size,
        closed::labels, closed::commit, () -> closed.forceMerge(1))) {
      Fixtures.assertMessage(assertThrows(IllegalStateException.class, call), "this gallery is closed");
    }
    readOnly.commit(); // a read-only gallery has nothing to commit
    Fixtures.assertMessage(assertThrows(IllegalStateException.class, () -> readOnly.remove(0)), "opened read-only");
  }

  @Test
  void theTableInDocsListsEveryCaseInOrder() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs/errors.md").normalize();
    Assumptions.assumeTrue(Files.exists(doc), "no " + doc + " beside this module");
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    int start = lines.indexOf(SECTION);
    assertTrue(start >= 0, doc + " has no section \"" + SECTION + "\"");
    List<String[]> rows = new ArrayList<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      if (lines.get(i).startsWith("| `")) {
        rows.add(Arrays.stream(lines.get(i).split("(?<!\\\\)\\|", -1)).map(String::trim).toArray(String[]::new));
      }
    }
    assertEquals(cases.size(), rows.size(), "rows in " + doc + " section " + SECTION + " vs cases");
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      String[] row = rows.get(i);
      String where = "row " + (i + 1) + " of " + SECTION;
      assertEquals("`" + c.entryPoint() + "`", row[1], where);
      assertEquals(c.badInput(), row[2], where);
      assertEquals("`" + c.type().getSimpleName() + "`", row[3], where);
      assertTrue(row[4].contains(c.fragment()), where + ": " + row[4] + " lacks " + c.fragment());
    }
  }

  @Test
  void printTheTable() {
    Assumptions.assumeTrue(Boolean.getBoolean("siamese.errors.print"), "set -Dsiamese.errors.print=true");
    StringBuilder out = new StringBuilder("| entry point | bad input | exception | message (example) |\n|---|---|---|---|\n");
    for (Case c : cases) {
      Throwable t = assertThrows(c.type(), c.call());
      String m = docText(String.valueOf(t.getMessage())).replace("\n", " ").replace("|", "\\|");
      out.append(String.format("| `%s` | %s | `%s` | %s |%n", c.entryPoint(), c.badInput(), c.type().getSimpleName(), m));
    }
    System.out.print(out);
  }
}
