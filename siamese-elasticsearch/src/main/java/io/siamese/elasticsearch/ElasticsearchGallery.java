package io.siamese.elasticsearch;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.Result;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregate;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregationSource;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.tasks.GetTasksResponse;
import co.elastic.clients.json.JsonData;
import com.google.common.collect.ImmutableSet;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Gallery;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.internal.Checks;
import io.siamese.losses.Distances;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gallery in an Elasticsearch index, for galleries that outgrow one machine or are shared by
 * several applications. One document per embedding ({@code dense_vector} with HNSW, the label as a
 * keyword, the id); a query takes {@code candidates} neighbours from Elasticsearch's kNN search,
 * then re-ranks them with the exact distance of the space computed from the stored float32
 * vectors, so the distances and the order among the candidates are exactly an in-memory search's.
 * Euclidean ({@code l2_norm}) and cosine only. Build one with {@link #builder}.
 *
 * <p><b>The index</b> is created with the gallery's mapping when it does not exist, or checked when
 * it does: an index made for another space (model, size or distance), by a newer format, or by
 * something else is refused with {@link IllegalArgumentException} before any query.
 *
 * <p><b>Ids</b> come from a counter document in the index, advanced with optimistic concurrency
 * control in blocks ({@link ElasticsearchGalleryBuilder#idBlock}): unique across every client of
 * the index, never reused, increasing within one gallery object; ids of a block left unused are
 * skipped.
 *
 * <p><b>Visibility.</b> A gallery sees every change acknowledged before it was opened (it refreshes
 * the index when it opens). Searches of this gallery object ({@link #nearest}, {@link #size},
 * {@link #labels}, {@link #removeLabel}) see every change it made before they started: before
 * searching it refreshes the index when it has written since its last refresh. Other clients see
 * the changes after the next refresh: {@link #commit()}, the index's {@code refresh_interval} (1 s
 * by default, while the index is being searched), or another gallery's refresh.
 *
 * <p><b>Durability.</b> The gallery creates its index with {@code index.translog.durability:
 * request}: Elasticsearch acknowledges an enrolment or removal only once it is fsynced in the
 * translog of every active copy of the shard, so an acknowledged change survives a crash of the
 * cluster's processes or machines (up to the loss of every copy). {@link #commit()} refreshes, so
 * that every client sees the changes; on an index whose translog is {@code async} it also flushes,
 * making the changes durable when it returns.
 *
 * <p><b>All or none.</b> Elasticsearch has no transaction across documents: an enrolment is sent in
 * bulk requests of {@link ElasticsearchGalleryBuilder#bulkSize} documents, and when some are
 * refused or the cluster stops answering, the gallery deletes what the call wrote and throws
 * {@link ElasticsearchGalleryException}; what it could not confirm removed is in the exception.
 * Until then, other clients that refresh may see part of the call. A process killed in the middle
 * of an enrolment leaves the bulk requests already acknowledged in the index.
 *
 * <p><b>Threads.</b> Safe from many threads at once. After {@link #close()} every method but {@code
 * close} throws {@link IllegalStateException}. A gallery built from a {@linkplain
 * ElasticsearchGalleryBuilder#host host} owns its client and closes it; one built from a {@linkplain
 * ElasticsearchGalleryBuilder#client client} leaves it open.
 *
 * @param <L> the label type; labels are compared by their encoded text
 */
public final class ElasticsearchGallery<L> implements Gallery<L> {
  /** Elasticsearch's limit on a kNN search's k and num_candidates. */
  public static final int MAX_CANDIDATES = 10_000;
  /** Lucene's limit on the length of one term, here an encoded label, in UTF-8 bytes. */
  static final int MAX_LABEL_BYTES = 32_766;
  private static final int PAGE = 1_000;
  private static final System.Logger LOG = System.getLogger(ElasticsearchGallery.class.getName());

  private final Cluster cluster;
  private final String index;
  private final EmbeddingSpace space;
  private final LabelCodec<L> codec;
  private final boolean readOnly;
  private final boolean cosine;
  private final int candidates;
  private final int numCandidates;
  private final VectorIndex vectorIndex;
  private final boolean asyncTranslog;
  private final IdAllocator ids;
  private final BulkWriter writer;
  /** Writes this object made; {@link #refreshed} is the count its last refresh covered. */
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong refreshed = new AtomicLong();
  private volatile boolean closed;

  private ElasticsearchGallery(ElasticsearchGalleryBuilder<L> b, Cluster cluster, GalleryMapping.Opened opened) {
    this.cluster = cluster;
    this.index = b.index;
    this.space = b.space;
    this.codec = b.codec;
    this.readOnly = b.readOnly;
    this.cosine = b.space.distance().name().equals(Distances.COSINE.name());
    this.candidates = b.candidates;
    this.numCandidates = b.numCandidates;
    this.vectorIndex = opened.vectorIndex();
    this.asyncTranslog = opened.asyncTranslog();
    this.ids = new IdAllocator(cluster, index, b.idBlock);
    this.writer = new BulkWriter(cluster, index, b.bulkSize);
  }

  /** A builder of a gallery whose labels {@code codec} turns into text and back. */
  public static <L> ElasticsearchGalleryBuilder<L> builder(LabelCodec<L> codec) {
    return new ElasticsearchGalleryBuilder<>(checkNotNull(codec, "codec"));
  }

  static <L> ElasticsearchGallery<L> open(ElasticsearchGalleryBuilder<L> b, Cluster cluster) {
    try {
      String idx = b.index;
      boolean exists = cluster.call("looking for index '" + idx + "'", () ->
          cluster.client().indices().exists(e -> e.index(idx)).value());
      boolean created = false;
      if (!exists) {
        checkArgument(!b.readOnly, "there is no index '%s' on %s, and a read-only gallery does not create one",
            idx, cluster.where());
        VectorIndex vi = b.vectorIndex == null ? VectorIndex.hnsw() : b.vectorIndex;
        created = GalleryMapping.create(cluster, idx, b.space,
            new GalleryMapping.Creation(vi, b.shards, b.replicas, b.refreshInterval));
      }
      GalleryMapping.Opened opened = GalleryMapping.validate(cluster, idx, b.space, b.vectorIndex, created);
      refreshOnOpen(cluster, idx, b.readOnly);
      if (opened.asyncTranslog()) {
        LOG.log(System.Logger.Level.WARNING, "index '" + idx + "' has index.translog.durability: async: "
            + "acknowledged enrolments are durable only after commit()");
      }
      return new ElasticsearchGallery<>(b, cluster, opened);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * A gallery sees every change acknowledged before it opened, even one its previous incarnation
   * never committed. A read-only user may lack the right to refresh: then it sees what the index's
   * own refreshes show.
   */
  private static void refreshOnOpen(Cluster cluster, String index, boolean readOnly) {
    try {
      cluster.call("refreshing index '" + index + "'", () -> cluster.client().indices().refresh(r -> r.index(index)));
    } catch (ElasticsearchGalleryException e) {
      if (!readOnly || e.status() != 403) {
        throw e;
      }
      LOG.log(System.Logger.Level.DEBUG, "not allowed to refresh index '" + index + "': " + e.getMessage());
    }
  }

  @Override
  public EmbeddingSpace space() {
    return space;
  }

  /** The name of the index. */
  public String index() {
    return index;
  }

  /** How the index's vectors are indexed for kNN (fixed when it was created). */
  public VectorIndex vectorIndex() {
    return vectorIndex;
  }

  @Override
  public long[] enrolAll(List<? extends L> labels, float[][] embeddings) {
    checkNotNull(labels, "labels");
    checkNotNull(embeddings, "embeddings");
    checkArgument(labels.size() == embeddings.length,
        "%s labels for %s embeddings; give one label per embedding", labels.size(), embeddings.length);
    List<String> texts = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      texts.add(encode(checkNotNull(labels.get(i), "label %s is null", i), "label " + i));
    }
    checkWritable();
    if (embeddings.length == 0) {
      return new long[0];
    }
    checkEmbeddings(embeddings);
    return write(texts, embeddings);
  }

  private long[] write(List<String> texts, float[][] embeddings) {
    checkWritable();
    int n = embeddings.length;
    long first = ids.reserve(n);
    List<EmbeddingDocument> docs = new ArrayList<>(n);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = first + i;
      docs.add(new EmbeddingDocument(out[i], texts.get(i), embeddings[i]));
    }
    try {
      writer.write(docs);
    } finally {
      writes.incrementAndGet(); // even a failed call may have written: the next search refreshes
    }
    return out;
  }

  @Override
  public boolean remove(long id) {
    checkWritable();
    if (id < 0) {
      return false;
    }
    Result r = cluster.call("removing id " + id + " from index '" + index + "'", () ->
        cluster.client().delete(d -> d.index(index).id(Long.toString(id)))).result();
    if (r == Result.Deleted) {
      writes.incrementAndGet();
      return true;
    }
    return false;
  }

  @Override
  public int removeLabel(L label) {
    checkNotNull(label, "label");
    String text = encode(label, "label");
    checkWritable();
    refreshIfDirty();
    String what = "removing label " + label + " from index '" + index + "'";
    int removed = 0;
    List<FieldValue> after = null;
    while (true) {
      List<FieldValue> from = after;
      SearchResponse<Void> page = cluster.call(what, () -> cluster.client().search(s -> {
        s.index(index).size(PAGE).source(src -> src.fetch(false))
            .query(q -> q.term(t -> t.field(GalleryMapping.LABEL).value(text)))
            .sort(o -> o.field(f -> f.field(GalleryMapping.ID).order(SortOrder.Asc)));
        return from == null ? s : s.searchAfter(from);
      }, Void.class));
      List<Hit<Void>> hits = page.hits().hits();
      if (hits.isEmpty()) {
        return removed;
      }
      List<String> docIds = new ArrayList<>(hits.size());
      for (Hit<Void> h : hits) {
        docIds.add(h.id());
      }
      try {
        removed += writer.delete(docIds, what);
      } finally {
        writes.incrementAndGet();
      }
      after = hits.get(hits.size() - 1).sort();
    }
  }

  @Override
  public List<Neighbor<L>> nearest(float[] query, int k) {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    checkArgument(k <= MAX_CANDIDATES, "k must be <= %s (Elasticsearch's limit on kNN), got %s", MAX_CANDIDATES, k);
    Checks.finite(query, space.dimension(), "the query", "the gallery's embeddings have " + space.dimension(), "embeddings");
    checkArgument(!cosine || norm(query) > 0,
        "the query has length 0: its cosine distance to anything is undefined (Elasticsearch refuses it)");
    checkOpen();
    refreshIfDirty();
    int kk = Math.min(Math.max(k, candidates), MAX_CANDIDATES);
    int nc = Math.min(Math.max(kk, numCandidates), MAX_CANDIDATES);
    List<Float> vector = new ArrayList<>(query.length);
    for (float f : query) {
      vector.add(f);
    }
    SearchResponse<JsonData> r = cluster.call("searching index '" + index + "'", () -> cluster.client().search(s -> s
        .index(index)
        .knn(q -> q.field(GalleryMapping.VECTOR).queryVector(vector).k(kk).numCandidates(nc))
        .size(kk)
        // Elasticsearch 9 leaves vectors out of _source by default; the re-ranking needs them.
        .source(src -> src.filter(f -> f.excludeVectors(false))), JsonData.class));
    List<Candidate> found = new ArrayList<>(r.hits().hits().size());
    for (Hit<JsonData> h : r.hits().hits()) {
      EmbeddingDocument d = EmbeddingDocument.parse(h.id(), h.source(), space.dimension(), index);
      found.add(new Candidate(d.id(), d.label(), space.distance().between(query, d.vector())));
    }
    found.sort(Comparator.comparingDouble(Candidate::distance).thenComparingLong(Candidate::id));
    List<Neighbor<L>> out = new ArrayList<>(Math.min(k, found.size()));
    for (Candidate c : found.subList(0, Math.min(k, found.size()))) {
      out.add(new Neighbor<>(codec.decode(c.label()), c.id(), c.distance()));
    }
    return out;
  }

  private record Candidate(long id, String label, double distance) {}

  @Override
  public long size() {
    checkOpen();
    refreshIfDirty();
    return cluster.call("counting the embeddings of index '" + index + "'", () -> cluster.client().count(c -> c
        .index(index).query(q -> q.exists(e -> e.field(GalleryMapping.ID))))).count();
  }

  /** The labels with at least one enrolled embedding, in the order of their encoded text. */
  @Override
  public java.util.Set<L> labels() {
    checkOpen();
    refreshIfDirty();
    ImmutableSet.Builder<L> out = ImmutableSet.builder();
    Map<String, CompositeAggregationSource> byLabel =
        Map.of(GalleryMapping.LABEL, CompositeAggregationSource.of(s -> s.terms(t -> t.field(GalleryMapping.LABEL))));
    Map<String, FieldValue> after = null;
    do {
      Map<String, FieldValue> from = after;
      SearchResponse<Void> r = cluster.call("listing the labels of index '" + index + "'", () -> cluster.client()
          .search(s -> s.index(index).size(0)
              .aggregations("labels", a -> a.composite(c -> {
                c.size(PAGE).sources(byLabel);
                return from == null ? c : c.after(from);
              })), Void.class));
      CompositeAggregate labels = r.aggregations().get("labels").composite();
      for (CompositeBucket b : labels.buckets().array()) {
        out.add(codec.decode(b.key().get(GalleryMapping.LABEL).stringValue()));
      }
      after = labels.buckets().array().isEmpty() ? null : labels.afterKey();
    } while (after != null);
    return out.build();
  }

  /**
   * Refreshes the index, so that every client's searches see this gallery's changes; on an index
   * whose translog is {@code async}, also flushes it, so that they are durable. A read-only
   * gallery has nothing to commit.
   */
  @Override
  public void commit() {
    checkOpen();
    if (readOnly) {
      return;
    }
    long w = writes.get();
    refresh();
    refreshed.accumulateAndGet(w, Math::max);
    if (asyncTranslog) {
      cluster.call("flushing index '" + index + "'", () -> cluster.client().indices().flush(f -> f.index(index)));
    }
  }

  /**
   * For offline builds: merges each shard's segments into at most {@code maxSegments}, then
   * refreshes. One segment per shard searches fastest (a kNN search walks one HNSW graph per
   * segment); Elasticsearch rebuilds the graphs, which takes minutes for millions of embeddings
   * and competes with searches meanwhile. The merge runs as a task that this call polls until it
   * ends, so no request times out however long it takes.
   *
   * @throws ElasticsearchGalleryException if the cluster refuses or the merge fails
   */
  public void forceMerge(int maxSegments) {
    checkArgument(maxSegments >= 1, "maxSegments must be >= 1, got %s", maxSegments);
    checkWritable();
    refreshIfDirty();
    String what = "force-merging index '" + index + "' into " + maxSegments + " segments";
    String task = cluster.call(what, () -> cluster.client().indices().forcemerge(f -> f
        .index(index).maxNumSegments((long) maxSegments).waitForCompletion(false))).task();
    while (task != null) {
      GetTasksResponse r;
      try {
        r = cluster.call(what, () -> cluster.client().tasks().get(g -> g
            .taskId(task).waitForCompletion(true).timeout(t -> t.time("20s"))));
      } catch (ElasticsearchGalleryException e) {
        if (e.errorType() != null && e.errorType().contains("timeout")) {
          continue; // still merging
        }
        throw e;
      }
      if (r.completed()) {
        if (r.error() != null) {
          throw new ElasticsearchGalleryException(cluster.where() + " failed " + what + ": " + r.error().type() + ": "
              + r.error().reason(), 0, r.error().type(), null);
        }
        break;
      }
    }
    refresh();
  }

  /** Closes the client if the gallery made it (from a host); does not commit. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      cluster.close();
    }
  }

  private void refreshIfDirty() {
    long w = writes.get();
    if (w > refreshed.get()) {
      refresh();
      refreshed.accumulateAndGet(w, Math::max);
    }
  }

  private void refresh() {
    cluster.call("refreshing index '" + index + "'", () -> cluster.client().indices().refresh(r -> r.index(index)));
  }

  private String encode(L label, String what) {
    String text = codec.encode(label);
    // Below 8192 chars the UTF-8 form cannot exceed the limit: skip the encoding.
    checkArgument(text.length() < 8192 || text.getBytes(StandardCharsets.UTF_8).length <= MAX_LABEL_BYTES,
        "%s is %s chars as text; Elasticsearch keeps labels of at most %s UTF-8 bytes", what, text.length(),
        MAX_LABEL_BYTES);
    return text;
  }

  private void checkEmbeddings(float[][] embeddings) {
    Checks.finiteRows(embeddings, space.dimension(), i -> embeddings.length == 1 ? "embedding" : "embedding " + i,
        "the gallery's embeddings have " + space.dimension(), "embeddings");
    if (cosine) {
      for (int i = 0; i < embeddings.length; i++) {
        checkArgument(norm(embeddings[i]) > 0,
            "embedding %s has length 0: its cosine distance to anything is undefined (Elasticsearch refuses it)", i);
      }
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
  }

  private void checkOpen() {
    checkState(!closed, "this gallery is closed");
  }

  private void checkWritable() {
    checkOpen();
    checkState(!readOnly, "this gallery of index '%s' was opened read-only", index);
  }

  @Override
  public String toString() {
    return "ElasticsearchGallery(index '" + index + "' on " + cluster.where() + ", " + space.dimension() + " floats, "
        + space.distance().name() + ", " + vectorIndex + ")";
  }
}
