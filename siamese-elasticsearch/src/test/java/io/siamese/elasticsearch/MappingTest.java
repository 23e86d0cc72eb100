package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorIndexOptionsType;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorProperty;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorSimilarity;
import co.elastic.clients.elasticsearch._types.mapping.TypeMapping;
import co.elastic.clients.elasticsearch.indices.IndexSettings;
import co.elastic.clients.elasticsearch.indices.TranslogDurability;
import co.elastic.clients.json.JsonData;
import io.siamese.core.EmbeddingSpace;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The index a gallery creates, and the indexes it refuses to open. */
@ExtendWith(ElasticsearchServer.class)
class MappingTest {
  private static final EmbeddingSpace SPACE = Fixtures.space(16, Distances.EUCLIDEAN, "model-a");
  private static ElasticsearchClient raw;

  @BeforeAll
  static void client(LocalElasticsearch es) {
    raw = Fixtures.rawClient(es);
  }

  @AfterAll
  static void close() throws IOException {
    if (raw != null) {
      raw._transport().close();
    }
  }

  private static TypeMapping mapping(String index) throws IOException {
    return raw.indices().getMapping(g -> g.index(index)).get(index).mappings();
  }

  @Test
  void createsTheMappingAndReopensIt(LocalElasticsearch es) throws IOException {
    String index = Fixtures.index("mapping");
    try (ElasticsearchGallery<String> g =
        Fixtures.gallery(es, index, SPACE).vectorIndex(VectorIndex.hnsw(12, 64)).build()) {
      assertEquals(VectorIndex.hnsw(12, 64), g.vectorIndex());
    }
    TypeMapping m = mapping(index);
    DenseVectorProperty v = m.properties().get("vector").denseVector();
    assertEquals(16, v.dims());
    assertEquals(DenseVectorSimilarity.L2Norm, v.similarity());
    assertEquals(DenseVectorIndexOptionsType.Hnsw, v.indexOptions().type());
    assertEquals(12, v.indexOptions().m());
    assertEquals(64, v.indexOptions().efConstruction());
    assertTrue(m.properties().get("label").isKeyword());
    assertTrue(m.properties().get("id").isLong());
    Map<String, JsonData> meta = m.meta();
    assertEquals("1", meta.get("siamese_format").toJson().toString());
    assertEquals("16", meta.get("siamese_dimension").toJson().toString());
    assertEquals("\"euclidean\"", meta.get("siamese_distance").toJson().toString());
    assertEquals("\"model-a\"", meta.get("siamese_model_digest").toJson().toString());
    IndexSettings s = raw.indices().getSettings(r -> r.index(index)).get(index).settings();
    IndexSettings inner = s.index() != null ? s.index() : s;
    assertEquals(TranslogDurability.Request, inner.translog().durability());

    // Reopened without index options: it takes the index's own.
    try (ElasticsearchGallery<String> again = Fixtures.gallery(es, index, SPACE).build()) {
      assertEquals(VectorIndex.hnsw(12, 64), again.vectorIndex());
    }
  }

  @Test
  void cosineUsesCosineSimilarityAndInt8(LocalElasticsearch es) throws IOException {
    String index = Fixtures.index("mapping-cos");
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, Fixtures.space(8, Distances.COSINE, "m"))
        .vectorIndex(VectorIndex.int8Hnsw()).build()) {
      assertEquals(VectorIndex.int8Hnsw(16, 100), g.vectorIndex());
    }
    DenseVectorProperty v = mapping(index).properties().get("vector").denseVector();
    assertEquals(DenseVectorSimilarity.Cosine, v.similarity());
    assertEquals(DenseVectorIndexOptionsType.Int8Hnsw, v.indexOptions().type());
  }

  @Test
  void anotherSpaceIsRefused(LocalElasticsearch es) {
    String index = Fixtures.index("space");
    Fixtures.gallery(es, index, SPACE).build().close();

    IllegalArgumentException model = assertThrows(IllegalArgumentException.class, () ->
        Fixtures.gallery(es, index, Fixtures.space(16, Distances.EUCLIDEAN, "model-b")).build());
    Fixtures.assertMessage(model, "index '" + index + "'", "was made in another space", "another model");

    IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () ->
        Fixtures.gallery(es, index, Fixtures.space(8, Distances.EUCLIDEAN, "model-a")).build());
    Fixtures.assertMessage(size, "its embeddings have 16 floats, this space's 8");

    IllegalArgumentException distance = assertThrows(IllegalArgumentException.class, () ->
        Fixtures.gallery(es, index, Fixtures.space(16, Distances.COSINE, "model-a")).build());
    Fixtures.assertMessage(distance, "it compares with the distance euclidean, this space with cosine");
  }

  @Test
  void anIndexOfSomethingElseIsRefused(LocalElasticsearch es) throws IOException {
    String plain = Fixtures.index("foreign");
    raw.indices().create(c -> c.index(plain).mappings(m -> m.properties("title", p -> p.text(t -> t))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixtures.gallery(es, plain, SPACE).build());
    Fixtures.assertMessage(e, "is not a siamese gallery");

    // Right _meta, wrong field type.
    String wrongField = Fixtures.index("foreign-field");
    raw.indices().create(c -> c.index(wrongField).mappings(m -> m
        .meta(meta(1, 16))
        .properties("vector", p -> p.float_(f -> f))
        .properties("label", p -> p.keyword(k -> k))
        .properties("id", p -> p.long_(l -> l))));
    e = assertThrows(IllegalArgumentException.class, () -> Fixtures.gallery(es, wrongField, SPACE).build());
    Fixtures.assertMessage(e, "field 'vector' is float, expected dense_vector");

    // A label field of the wrong type.
    String wrongLabel = Fixtures.index("foreign-label");
    raw.indices().create(c -> c.index(wrongLabel).mappings(m -> m
        .meta(meta(1, 16))
        .properties("vector", p -> p.denseVector(d -> d.dims(16).similarity(DenseVectorSimilarity.L2Norm)
            .indexOptions(o -> o.type(DenseVectorIndexOptionsType.Hnsw))))
        .properties("label", p -> p.text(t -> t))
        .properties("id", p -> p.long_(l -> l))));
    e = assertThrows(IllegalArgumentException.class, () -> Fixtures.gallery(es, wrongLabel, SPACE).build());
    Fixtures.assertMessage(e, "field 'label' is text, expected keyword");

    // A later format.
    String newer = Fixtures.index("foreign-format");
    raw.indices().create(c -> c.index(newer).mappings(m -> m.meta(meta(2, 16))));
    e = assertThrows(IllegalArgumentException.class, () -> Fixtures.gallery(es, newer, SPACE).build());
    Fixtures.assertMessage(e, "gallery format 2");

    // The same _meta, but the similarity of another distance.
    String cosine = Fixtures.index("foreign-sim");
    raw.indices().create(c -> c.index(cosine).mappings(m -> m
        .meta(meta(1, 16))
        .properties("vector", p -> p.denseVector(d -> d.dims(16).similarity(DenseVectorSimilarity.Cosine)
            .indexOptions(o -> o.type(DenseVectorIndexOptionsType.Hnsw))))
        .properties("label", p -> p.keyword(k -> k))
        .properties("id", p -> p.long_(l -> l))));
    e = assertThrows(IllegalArgumentException.class, () -> Fixtures.gallery(es, cosine, SPACE).build());
    Fixtures.assertMessage(e, "ranks by cosine, the distance euclidean needs l2_norm");
  }

  private static Map<String, JsonData> meta(int format, int dimension) {
    return Map.of("siamese_format", JsonData.of(format), "siamese_dimension", JsonData.of(dimension),
        "siamese_distance", JsonData.of("euclidean"), "siamese_model_digest", JsonData.of("model-a"));
  }

  @Test
  void otherIndexOptionsAreRefused(LocalElasticsearch es) {
    String index = Fixtures.index("options");
    Fixtures.gallery(es, index, SPACE).build().close();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        Fixtures.gallery(es, index, SPACE).vectorIndex(VectorIndex.int8Hnsw()).build());
    Fixtures.assertMessage(e, "indexes its vectors with hnsw(m=16, ef_construction=100), not the "
        + "int8_hnsw(m=16, ef_construction=100) asked for");
  }

  @Test
  void readOnlyNeedsTheIndex(LocalElasticsearch es) throws IOException {
    String index = Fixtures.index("missing");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        ElasticsearchGallery.builder(io.siamese.core.gallery.LabelCodec.strings()).host(es.url()).index(index)
            .space(SPACE).readOnly().build());
    Fixtures.assertMessage(e, "there is no index '" + index + "'", "read-only");
    assertTrue(!raw.indices().exists(x -> x.index(index)).value(), "a read-only gallery created the index");
  }
}
