package io.siamese.lucene;

import io.siamese.core.EmbeddingSpace;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * The documents of a gallery index and the codec that writes them.
 *
 * <p>One document per enrolled embedding:
 *
 * <ul>
 *   <li>{@value #VECTOR}: the embedding as a {@link KnnFloatVectorField}. Lucene keeps the raw
 *       float32 values in its flat vector file (also under int8 quantisation, which adds a
 *       quantised copy), and {@code LeafReader.getFloatVectorValues} reads them back bit for bit:
 *       that is the stored vector the exact re-rank and a rebuild use. Storing it a second time as
 *       a stored field would double the disk per vector (256 more bytes at 64 floats).
 *   <li>{@value #ID}: the gallery id, as a point (to find it for removal) and a numeric doc value
 *       (read per hit by the re-rank, for ties and answers).
 *   <li>{@value #LABEL}: the encoded label, as an indexed term (to remove a label and list the
 *       labels) and a sorted doc value (read per answer). Doc values rather than stored fields:
 *       reading one value from a column is a few array reads, while a stored-field read
 *       decompresses a whole block per hit.
 * </ul>
 *
 * <p><b>Similarity.</b> Euclidean and squared Euclidean embeddings are indexed with {@code
 * EUCLIDEAN}, which ranks exactly as both do. Cosine embeddings are indexed with {@code COSINE}
 * rather than {@code DOT_PRODUCT} on normalised copies, which Lucene recommends for speed: the
 * normalised copy is all Lucene would keep, so the re-rank could no longer compute {@link
 * io.siamese.losses.Distance#between} on the embedding the caller enrolled, and its distances would
 * differ from the exact ones in the last bits (enough to flip a decision at the threshold). {@code
 * COSINE} keeps the raw vector and costs three sums per comparison instead of one, a small part of
 * a search at these sizes.
 */
final class Schema {
  static final String VECTOR = "vector";
  static final String ID = "id";
  static final String LABEL = "label";

  /** The longest label text Lucene indexes as one term, in UTF-8 bytes. */
  static final int MAX_LABEL_BYTES = 32766;

  private Schema() {}

  /**
   * The similarity that ranks as {@code space}'s distance does.
   *
   * @throws IllegalArgumentException naming the distance if HNSW cannot index it
   */
  static VectorSimilarityFunction similarity(EmbeddingSpace space) {
    String name = space.distance().name();
    switch (name) {
      case "euclidean":
      case "squared_euclidean":
        return VectorSimilarityFunction.EUCLIDEAN;
      case "cosine":
        return VectorSimilarityFunction.COSINE;
      default:
        throw new IllegalArgumentException(
            "a Lucene gallery indexes euclidean, squared_euclidean and cosine embeddings; the distance '" + name
                + "' cannot be indexed by HNSW (it is not a metric Lucene's vector search ranks by): keep such"
                + " embeddings in the in-memory gallery, which searches exactly with any distance");
    }
  }

  /** The codec: Lucene's default, with the gallery's HNSW settings for the vector field. */
  static Codec codec(int maxConnections, int beamWidth, boolean int8) {
    KnnVectorsFormat format =
        int8
            ? new Lucene99HnswScalarQuantizedVectorsFormat(maxConnections, beamWidth)
            : new Lucene99HnswVectorsFormat(maxConnections, beamWidth);
    // The codec keeps the name Lucene912 and records the vector format per field, so any reader
    // (Luke, a read-only gallery, a newer Lucene) opens the index without this class.
    return new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return format;
      }
    };
  }

  /** The documents of {@code rows}, with ids from {@code firstId} and labels {@code labels[i]}. */
  static List<Document> documents(
      long firstId, String[] labels, float[][] rows, int from, int to, VectorSimilarityFunction similarity) {
    List<Document> docs = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      long id = firstId + i;
      BytesRef label = new BytesRef(labels[i]);
      Document d = new Document();
      d.add(new KnnFloatVectorField(VECTOR, rows[i], similarity));
      d.add(new LongPoint(ID, id));
      d.add(new NumericDocValuesField(ID, id));
      d.add(new StringField(LABEL, label, Field.Store.NO));
      d.add(new SortedDocValuesField(LABEL, label));
      docs.add(d);
    }
    return docs;
  }
}
