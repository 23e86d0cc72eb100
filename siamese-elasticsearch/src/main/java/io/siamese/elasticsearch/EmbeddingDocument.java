package io.siamese.elasticsearch;

import co.elastic.clients.json.JsonData;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import java.math.BigDecimal;

/**
 * One enrolled embedding as an Elasticsearch document: {@code {"id": 7, "label": "cat", "vector":
 * [0.25, ...]}}, its {@code _id} the id in decimal.
 *
 * <p>Each float is written as {@link Float#toString}'s digits, the shortest decimal that reads back
 * as the same float, and read back with {@link Float#parseFloat}: the vector that comes back is the
 * enrolled one, bit for bit, so the exact re-ranking computes exactly the distance of an in-memory
 * search.
 */
record EmbeddingDocument(long id, String label, float[] vector) implements JsonpSerializable {

  @Override
  public void serialize(JsonGenerator g, JsonpMapper mapper) {
    g.writeStartObject();
    g.write(GalleryMapping.ID, id);
    g.write(GalleryMapping.LABEL, label);
    g.writeStartArray(GalleryMapping.VECTOR);
    for (float f : vector) {
      g.write(new BigDecimal(Float.toString(f)));
    }
    g.writeEnd();
    g.writeEnd();
  }

  /**
   * The document in a hit's {@code _source}.
   *
   * @throws IllegalStateException naming the document if it is not an embedding of {@code
   *     dimension} floats with an id and a label (a document written by something else)
   */
  static EmbeddingDocument parse(String docId, JsonData source, int dimension, String index) {
    JsonValue json = source == null ? null : source.toJson();
    if (!(json instanceof JsonObject o)) {
      throw corrupt(docId, index, "it has no _source");
    }
    JsonValue id = o.get(GalleryMapping.ID);
    JsonValue label = o.get(GalleryMapping.LABEL);
    JsonValue vector = o.get(GalleryMapping.VECTOR);
    if (!(id instanceof JsonNumber n) || !n.isIntegral()) {
      throw corrupt(docId, index, "its id is " + id);
    }
    if (!(label instanceof JsonString s)) {
      throw corrupt(docId, index, "its label is " + label);
    }
    if (!(vector instanceof JsonArray a) || a.size() != dimension) {
      throw corrupt(docId, index, vector == null
          ? "it has no vector in _source (is index.mapping.exclude_source_vectors set?)"
          : "its vector is not " + dimension + " numbers");
    }
    float[] v = new float[dimension];
    for (int j = 0; j < dimension; j++) {
      if (!(a.get(j) instanceof JsonNumber x)) {
        throw corrupt(docId, index, "its vector holds " + a.get(j) + " at position " + j);
      }
      v[j] = Float.parseFloat(x.toString());
    }
    return new EmbeddingDocument(n.longValue(), s.getString(), v);
  }

  private static IllegalStateException corrupt(String docId, String index, String why) {
    return new IllegalStateException(
        "document '" + docId + "' of index '" + index + "' is not an embedding of this gallery: " + why);
  }
}
