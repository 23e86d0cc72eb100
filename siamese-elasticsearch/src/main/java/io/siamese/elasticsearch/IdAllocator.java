package io.siamese.elasticsearch;

import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpSerializable;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

/**
 * Hands out gallery ids, unique across every client of the index and never reused.
 *
 * <p>The index holds one counter document, {@code {"next_id": n}}: every id below {@code n} has been
 * handed out. A client reserves a block of ids by reading the counter and writing {@code n + block}
 * back on the condition that nobody wrote it in between ({@code if_seq_no} and {@code
 * if_primary_term}, Elasticsearch's optimistic concurrency control); when another client won the
 * race, it reads again. The counter's write is acknowledged only once it is in the synced
 * translog, so a crash of the cluster cannot hand the same block out twice.
 *
 * <p>Blocks make one enrolment cost one round trip most of the time. The price is gaps: ids of a
 * block not used before the gallery closes are never used by anyone. Ids therefore order
 * enrolments within one gallery object; across clients they order blocks, not enrolments.
 */
final class IdAllocator {
  private final Cluster cluster;
  private final String index;
  private final int block;
  private long next;
  private long end; // next == end: nothing reserved

  IdAllocator(Cluster cluster, String index, int block) {
    this.cluster = cluster;
    this.index = index;
    this.block = block;
  }

  /** Reserves {@code n} consecutive ids; returns the first. */
  synchronized long reserve(int n) {
    if (end - next < n) {
      long want = Math.max(n, block);
      next = take(want);
      end = next + want;
    }
    long first = next;
    next += n;
    return first;
  }

  /** Takes {@code count} ids from the counter document; returns the first. */
  private long take(long count) {
    for (int attempt = 0; ; attempt++) {
      GetResponse<JsonData> counter = cluster.call("reading the id counter of index '" + index + "'", () ->
          cluster.client().get(g -> g.index(index).id(GalleryMapping.COUNTER_DOC), JsonData.class));
      try {
        if (!counter.found()) {
          long first = firstFreeId();
          cluster.call("creating the id counter of index '" + index + "'", () ->
              cluster.client().create(c -> c.index(index).id(GalleryMapping.COUNTER_DOC).document(new Counter(first + count))));
          return first;
        }
        long first = nextIdOf(counter.source());
        cluster.call("advancing the id counter of index '" + index + "'", () ->
            cluster.client().index(i -> i.index(index).id(GalleryMapping.COUNTER_DOC)
                .ifSeqNo(counter.seqNo()).ifPrimaryTerm(counter.primaryTerm())
                .document(new Counter(first + count))));
        return first;
      } catch (ElasticsearchGalleryException e) {
        if (e.status() != 409 || attempt >= 1000) {
          throw e;
        }
        // Another client advanced the counter first: read it again.
        Thread.onSpinWait();
      }
    }
  }

  /**
   * The first id after every embedding already in the index: where a missing counter starts. The
   * counter is created with the index, so this runs only when that creation was interrupted (and
   * then the index is empty) or the counter document was deleted by hand.
   */
  private long firstFreeId() {
    cluster.call("refreshing index '" + index + "'", () -> cluster.client().indices().refresh(r -> r.index(index)));
    SearchResponse<Void> top = cluster.call("finding the largest id in index '" + index + "'", () ->
        cluster.client().search(s -> s.index(index).size(1).source(src -> src.fetch(false))
            .query(q -> q.exists(e -> e.field(GalleryMapping.ID)))
            .sort(o -> o.field(f -> f.field(GalleryMapping.ID).order(SortOrder.Desc))), Void.class));
    if (top.hits().hits().isEmpty()) {
      return 0;
    }
    return Long.parseLong(top.hits().hits().get(0).id()) + 1;
  }

  private long nextIdOf(JsonData source) {
    JsonValue v = source == null ? null : source.toJson();
    if (v instanceof JsonObject o && o.get(GalleryMapping.NEXT_ID) instanceof JsonNumber n && n.isIntegral() && n.longValue() >= 0) {
      return n.longValue();
    }
    throw new IllegalStateException("the id counter of index '" + index + "' is damaged: " + v
        + "; delete the document '" + GalleryMapping.COUNTER_DOC + "' and the next enrolment recreates it");
  }

  /** The counter document. */
  private record Counter(long nextId) implements JsonpSerializable {
    @Override
    public void serialize(JsonGenerator g, JsonpMapper mapper) {
      g.writeStartObject().write(GalleryMapping.NEXT_ID, nextId).writeEnd();
    }
  }
}
