package io.siamese.elasticsearch;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How Elasticsearch indexes the embeddings for kNN search: the {@code index_options} of the {@code
 * dense_vector} field, fixed when the index is created.
 *
 * <p>{@link #hnsw} searches the float32 vectors: for fast searches the page cache should hold
 * {@code 4 * dimension} bytes per vector. {@link #int8Hnsw} searches int8-quantised copies, about
 * {@code dimension + 4} bytes per vector (4 times less memory), and keeps the float32 vectors on
 * disk beside them (about 25% more disk); it loses a little recall, which the gallery's exact
 * re-ranking of the candidates partly recovers. Either way the gallery re-ranks the candidates with
 * the exact distance computed from the stored float32 vectors.
 *
 * @param type the HNSW variant
 * @param m the number of neighbours of each node in the graph (Lucene's {@code maxConn}); more is
 *     better recall, more memory and slower indexing; {@code 1..512}, Elasticsearch's default 16
 * @param efConstruction the candidate queue while inserting (Lucene's {@code beamWidth}); more is a
 *     better graph and slower indexing; {@code 1..3200}, Elasticsearch's default 100
 */
public record VectorIndex(Type type, int m, int efConstruction) {

  /** The HNSW variants a gallery can use. */
  public enum Type {
    /** float32 vectors in the graph. */
    HNSW("hnsw"),
    /** int8 scalar-quantised vectors in the graph; float32 kept on disk. */
    INT8_HNSW("int8_hnsw");

    private final String json;

    Type(String json) {
      this.json = json;
    }

    /** The name in the mapping, e.g. {@code "int8_hnsw"}. */
    public String jsonName() {
      return json;
    }
  }

  public VectorIndex {
    checkNotNull(type, "type");
    checkArgument(m >= 1 && m <= 512, "m must be in 1..512, got %s", m);
    checkArgument(
        efConstruction >= 1 && efConstruction <= 3200, "efConstruction must be in 1..3200, got %s", efConstruction);
  }

  /** float32 HNSW with Elasticsearch's defaults, m 16 and ef_construction 100. */
  public static VectorIndex hnsw() {
    return hnsw(16, 100);
  }

  /** float32 HNSW. */
  public static VectorIndex hnsw(int m, int efConstruction) {
    return new VectorIndex(Type.HNSW, m, efConstruction);
  }

  /** int8-quantised HNSW with Elasticsearch's defaults, m 16 and ef_construction 100. */
  public static VectorIndex int8Hnsw() {
    return int8Hnsw(16, 100);
  }

  /** int8-quantised HNSW. */
  public static VectorIndex int8Hnsw(int m, int efConstruction) {
    return new VectorIndex(Type.INT8_HNSW, m, efConstruction);
  }

  @Override
  public String toString() {
    return type.json + "(m=" + m + ", ef_construction=" + efConstruction + ")";
  }
}
