package io.siamese.elasticsearch;

import static com.google.common.base.Preconditions.checkArgument;

import co.elastic.clients.elasticsearch._types.mapping.DenseVectorElementType;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorIndexOptions;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorIndexOptionsType;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorProperty;
import co.elastic.clients.elasticsearch._types.mapping.DenseVectorSimilarity;
import co.elastic.clients.elasticsearch._types.mapping.DynamicMapping;
import co.elastic.clients.elasticsearch._types.mapping.Property;
import co.elastic.clients.elasticsearch._types.mapping.TypeMapping;
import co.elastic.clients.elasticsearch.indices.IndexSettings;
import co.elastic.clients.elasticsearch.indices.IndexState;
import co.elastic.clients.elasticsearch.indices.TranslogDurability;
import co.elastic.clients.elasticsearch.indices.get_mapping.IndexMappingRecord;
import co.elastic.clients.json.JsonData;
import io.siamese.core.EmbeddingSpace;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.Map;

/**
 * The index layout of a gallery: its mapping, created or checked when a gallery opens.
 *
 * <p>Fields: {@code vector} ({@code dense_vector}, float, indexed with the space's similarity),
 * {@code label} (keyword), {@code id} (long), and {@code next_id} (long, not indexed) for the id
 * counter's document. {@code dynamic: strict}: a document with any other field is refused. The
 * mapping's {@code _meta} records the space (dimension, distance name, model digest) and the format
 * version, so that a gallery of another model is refused before any query is answered in the wrong
 * space.
 */
final class GalleryMapping {
  static final String VECTOR = "vector";
  static final String LABEL = "label";
  static final String ID = "id";
  static final String NEXT_ID = "next_id";
  /** The id counter's document id: not a number, so never an embedding's. */
  static final String COUNTER_DOC = "siamese-id-counter";

  static final String META_FORMAT = "siamese_format";
  static final String META_DIMENSION = "siamese_dimension";
  static final String META_DISTANCE = "siamese_distance";
  static final String META_DIGEST = "siamese_model_digest";
  /** The layout this code writes and reads; a later layout is refused, not guessed at. */
  static final int FORMAT = 1;

  /** What is learnt about an index when it opens. */
  record Opened(VectorIndex vectorIndex, boolean created, boolean asyncTranslog) {}

  /** Settings for an index this gallery creates. */
  record Creation(VectorIndex vectorIndex, int shards, Integer replicas, Duration refreshInterval) {}

  private GalleryMapping() {}

  /** The similarity Elasticsearch ranks with for {@code distance}; refuses distances it cannot index. */
  static DenseVectorSimilarity similarity(Distance distance) {
    String name = distance.name();
    if (name.equals(Distances.EUCLIDEAN.name()) || name.equals(Distances.SQUARED_EUCLIDEAN.name())) {
      return DenseVectorSimilarity.L2Norm; // same order of neighbours for both
    }
    if (name.equals(Distances.COSINE.name())) {
      return DenseVectorSimilarity.Cosine;
    }
    throw new IllegalArgumentException(
        "an Elasticsearch gallery cannot index the distance " + name
            + ": Elasticsearch's kNN ranks by l2_norm (euclidean) or cosine only; "
            + "train with the euclidean or cosine distance, or keep the gallery in memory (InMemoryGallery)");
  }

  /**
   * Creates the index with the gallery's mapping.
   *
   * @return false if another client created it first
   */
  static boolean create(Cluster cluster, String index, EmbeddingSpace space, Creation c) {
    TypeMapping mapping = TypeMapping.of(m -> m
        .dynamic(DynamicMapping.Strict)
        .meta(Map.of(
            META_FORMAT, JsonData.of(FORMAT),
            META_DIMENSION, JsonData.of(space.dimension()),
            META_DISTANCE, JsonData.of(space.distance().name()),
            META_DIGEST, JsonData.of(space.modelDigest())))
        .properties(VECTOR, p -> p.denseVector(d -> d
            .dims(space.dimension())
            .elementType(DenseVectorElementType.Float)
            .index(true)
            .similarity(similarity(space.distance()))
            .indexOptions(io -> io
                .type(optionsType(c.vectorIndex().type()))
                .m(c.vectorIndex().m())
                .efConstruction(c.vectorIndex().efConstruction()))))
        .properties(LABEL, p -> p.keyword(k -> k))
        .properties(ID, p -> p.long_(l -> l))
        .properties(NEXT_ID, p -> p.long_(l -> l.index(false))));
    IndexSettings settings = IndexSettings.of(s -> {
      s.numberOfShards(Integer.toString(c.shards()));
      if (c.replicas() != null) {
        s.numberOfReplicas(Integer.toString(c.replicas()));
      }
      if (c.refreshInterval() != null) {
        String interval = c.refreshInterval().isNegative() ? "-1" : c.refreshInterval().toMillis() + "ms";
        s.refreshInterval(t -> t.time(interval));
      }
      // Every acknowledged write is fsynced to the translog first: acknowledged means durable.
      return s.translog(t -> t.durability(TranslogDurability.Request));
    });
    try {
      cluster.call("creating index '" + index + "'", () ->
          cluster.client().indices().create(r -> r.index(index).settings(settings).mappings(mapping)));
      return true;
    } catch (ElasticsearchGalleryException e) {
      if ("resource_already_exists_exception".equals(e.errorType())) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Checks that {@code index} is a gallery of {@code space} this code can read.
   *
   * @param wanted the vector index the caller asked for, or null if it did not ask
   * @throws IllegalArgumentException naming the index and the mismatch
   */
  static Opened validate(Cluster cluster, String index, EmbeddingSpace space, VectorIndex wanted, boolean created) {
    IndexMappingRecord record = cluster.call("reading the mapping of index '" + index + "'", () ->
        cluster.client().indices().getMapping(g -> g.index(index))).get(index);
    checkArgument(record != null, "%s did not return the mapping of index '%s'", cluster.where(), index);
    TypeMapping m = record.mappings();
    Map<String, JsonData> meta = m.meta();
    String where = "index '" + index + "' on " + cluster.where();
    checkArgument(
        meta != null && meta.containsKey(META_FORMAT),
        "%s is not a siamese gallery: its mapping has no _meta.%s (it holds something else; choose another index name)",
        where, META_FORMAT);
    long format = number(meta, META_FORMAT, where);
    checkArgument(
        format == FORMAT,
        "%s has gallery format %s; this siamese-elasticsearch reads format %s only (a newer siamese-java wrote it?)",
        where, format, FORMAT);
    int dimension = Math.toIntExact(number(meta, META_DIMENSION, where));
    String distance = text(meta, META_DISTANCE, where);
    String digest = text(meta, META_DIGEST, where);
    String why = incompatibility(space, dimension, distance, digest);
    checkArgument(why.isEmpty(), "%s was made in another space: %s", where, why);

    Map<String, Property> props = m.properties();
    Property vector = props.get(VECTOR);
    checkArgument(vector != null && vector.isDenseVector(), "%s: field '%s' is %s, expected dense_vector",
        where, VECTOR, vector == null ? "missing" : vector._kind().jsonValue());
    DenseVectorProperty dv = vector.denseVector();
    checkArgument(dv.dims() != null && dv.dims() == dimension, "%s: field '%s' has %s dims, its _meta says %s",
        where, VECTOR, dv.dims(), dimension);
    checkArgument(dv.elementType() == null || dv.elementType() == DenseVectorElementType.Float,
        "%s: field '%s' holds %s elements, expected float", where, VECTOR, dv.elementType());
    checkArgument(dv.index() == null || dv.index(), "%s: field '%s' is not indexed for kNN", where, VECTOR);
    checkArgument(dv.similarity() == similarity(space.distance()), "%s: field '%s' ranks by %s, the distance %s needs %s",
        where, VECTOR, dv.similarity() == null ? null : dv.similarity().jsonValue(), space.distance().name(),
        similarity(space.distance()).jsonValue());
    checkField(props, LABEL, Property::isKeyword, "keyword", where);
    checkField(props, ID, Property::isLong, "long", where);
    VectorIndex actual = vectorIndex(dv.indexOptions(), where);
    checkArgument(wanted == null || wanted.equals(actual),
        "%s indexes its vectors with %s, not the %s asked for: index options are fixed when an index is made",
        where, actual, wanted);
    return new Opened(actual, created, asyncTranslog(cluster, index));
  }

  private static String incompatibility(EmbeddingSpace space, int dimension, String distance, String digest) {
    if (dimension < 1 || digest.isBlank()) {
      return "its _meta records dimension " + dimension + " and digest '" + digest + "'";
    }
    return space.incompatibility(dimension, distance, digest);
  }

  private static void checkField(
      Map<String, Property> props, String name, java.util.function.Predicate<Property> ok, String type, String where) {
    Property p = props.get(name);
    checkArgument(p != null && ok.test(p), "%s: field '%s' is %s, expected %s",
        where, name, p == null ? "missing" : p._kind().jsonValue(), type);
  }

  private static VectorIndex vectorIndex(DenseVectorIndexOptions o, String where) {
    checkArgument(o != null, "%s: field '%s' has no index_options", where, VECTOR);
    VectorIndex.Type type;
    if (o.type() == DenseVectorIndexOptionsType.Hnsw) {
      type = VectorIndex.Type.HNSW;
    } else if (o.type() == DenseVectorIndexOptionsType.Int8Hnsw) {
      type = VectorIndex.Type.INT8_HNSW;
    } else {
      throw new IllegalArgumentException(where + ": field '" + VECTOR + "' is indexed as " + o.type().jsonValue()
          + "; a gallery reads hnsw or int8_hnsw");
    }
    return new VectorIndex(type, o.m() == null ? 16 : o.m(), o.efConstruction() == null ? 100 : o.efConstruction());
  }

  private static DenseVectorIndexOptionsType optionsType(VectorIndex.Type t) {
    return t == VectorIndex.Type.HNSW ? DenseVectorIndexOptionsType.Hnsw : DenseVectorIndexOptionsType.Int8Hnsw;
  }

  /** Whether the index acknowledges writes before they are in a synced translog. */
  private static boolean asyncTranslog(Cluster cluster, String index) {
    IndexState state = cluster.call("reading the settings of index '" + index + "'", () ->
        cluster.client().indices().getSettings(g -> g.index(index))).result().get(index);
    IndexSettings s = state == null ? null : state.settings();
    if (s != null && s.index() != null) {
      s = s.index();
    }
    return s != null && s.translog() != null && s.translog().durability() == TranslogDurability.Async;
  }

  private static long number(Map<String, JsonData> meta, String key, String where) {
    JsonValue v = meta.containsKey(key) ? meta.get(key).toJson() : null;
    checkArgument(v instanceof JsonNumber n && n.isIntegral(), "%s: _meta.%s is %s, expected a whole number", where, key, v);
    return ((JsonNumber) v).longValue();
  }

  private static String text(Map<String, JsonData> meta, String key, String where) {
    JsonValue v = meta.containsKey(key) ? meta.get(key).toJson() : null;
    checkArgument(v instanceof JsonString, "%s: _meta.%s is %s, expected text", where, key, v);
    return ((JsonString) v).getString();
  }
}
