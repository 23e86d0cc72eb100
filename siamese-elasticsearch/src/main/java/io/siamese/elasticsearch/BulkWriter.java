package io.siamese.elasticsearch;

import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and deletes embeddings in bulk requests, all of a call or, as far as Elasticsearch allows,
 * none of it.
 *
 * <p>Elasticsearch applies each document of a bulk request on its own: a request can partly fail
 * (a full write queue answers 429 for some items, a shard may be unavailable). Items refused with
 * 429 are sent again, up to {@link #RETRIES} times with a growing pause. If items still fail, or the
 * cluster stops answering, the writer deletes every document of the call it may have written and
 * throws; ids whose removal it could not confirm are in the exception's {@link
 * ElasticsearchGalleryException#unresolvedIds()}. Documents are written with {@code op_type
 * create}, so a write never replaces an existing document.
 */
final class BulkWriter {
  static final int RETRIES = 5;
  private static final System.Logger LOG = System.getLogger(BulkWriter.class.getName());

  private final Cluster cluster;
  private final String index;
  private final int bulkSize;

  BulkWriter(Cluster cluster, String index, int bulkSize) {
    this.cluster = cluster;
    this.index = index;
    this.bulkSize = bulkSize;
  }

  /** Writes {@code docs} in requests of at most {@code bulkSize}: all, or (see the class comment) none. */
  void write(List<EmbeddingDocument> docs) {
    String what = "enrolling " + docs.size() + " embeddings in index '" + index + "'";
    List<Long> written = new ArrayList<>(); // acknowledged as created
    List<Long> inFlight = new ArrayList<>(); // sent, not yet answered
    String failure = null;
    ElasticsearchGalleryException cause = null;
    try {
      for (int from = 0; from < docs.size() && failure == null; from += bulkSize) {
        failure = send(docs.subList(from, Math.min(docs.size(), from + bulkSize)), what, written, inFlight);
      }
    } catch (ElasticsearchGalleryException e) {
      failure = e.getMessage();
      cause = e;
      if (e.status() > 0 && e.status() < 500) {
        inFlight.clear(); // the cluster refused the whole request: nothing of it was applied
      }
    }
    if (failure != null) {
      throw rollBack(written, inFlight, failure, cause);
    }
  }

  /**
   * Deletes the documents of {@code ids}.
   *
   * @return how many were there
   */
  int delete(List<String> ids, String what) {
    int deleted = 0;
    for (int from = 0; from < ids.size(); from += bulkSize) {
      List<BulkOperation> ops = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(ids.size(), from + bulkSize))) {
        ops.add(BulkOperation.of(o -> o.delete(d -> d.index(index).id(id))));
      }
      BulkResponse r = cluster.call(what, () -> cluster.client().bulk(b -> b.operations(ops)));
      for (BulkResponseItem item : r.items()) {
        if (item.error() != null) {
          throw new ElasticsearchGalleryException(cluster.where() + " refused " + what + ": document " + item.id()
              + ": " + item.status() + " " + item.error().type() + ": " + item.error().reason(),
              item.status(), item.error().type(), null);
        }
        if ("deleted".equals(item.result())) {
          deleted++;
        }
      }
    }
    return deleted;
  }

  /**
   * Sends {@code docs}, again for the items refused with 429, adding the ids written to {@code
   * written}; {@code inFlight} holds the ids of the request awaiting an answer.
   *
   * @return null when every document was written, else what failed
   */
  private String send(List<EmbeddingDocument> docs, String what, List<Long> written, List<Long> inFlight) {
    List<EmbeddingDocument> pending = docs;
    for (int attempt = 0; ; attempt++) {
      List<BulkOperation> ops = new ArrayList<>(pending.size());
      for (EmbeddingDocument d : pending) {
        ops.add(BulkOperation.of(o -> o.create(c -> c.index(index).id(Long.toString(d.id())).document(d))));
        inFlight.add(d.id());
      }
      BulkResponse r = cluster.call(what, () -> cluster.client().bulk(b -> b.operations(ops)));
      inFlight.clear();
      List<EmbeddingDocument> rejected = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      for (int i = 0; i < r.items().size(); i++) {
        BulkResponseItem item = r.items().get(i);
        if (item.error() == null) {
          written.add(pending.get(i).id());
        } else if (item.status() == 429 && attempt < RETRIES) {
          rejected.add(pending.get(i));
        } else {
          failed.add("id " + item.id() + ": " + item.status() + " " + item.error().type() + ": " + item.error().reason());
        }
      }
      if (!failed.isEmpty()) {
        return cluster.where() + " refused " + failed.size() + " of the documents while " + what
            + " (first: " + failed.get(0) + ")";
      }
      if (rejected.isEmpty()) {
        return null;
      }
      pause(attempt);
      pending = rejected;
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(100L << attempt); // 0.1 s, 0.2 s, ... 1.6 s: lets the write queue drain
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to resend refused documents", e);
    }
  }

  /**
   * Deletes what a failed enrolment wrote ({@code written}) or may have written ({@code inFlight});
   * the exception to throw says how that went.
   */
  private ElasticsearchGalleryException rollBack(
      List<Long> written, List<Long> inFlight, String failure, ElasticsearchGalleryException cause) {
    List<String> ids = new ArrayList<>(written.size() + inFlight.size());
    written.forEach(id -> ids.add(Long.toString(id)));
    inFlight.forEach(id -> ids.add(Long.toString(id)));
    int status = cause == null ? 0 : cause.status();
    String type = cause == null ? null : cause.errorType();
    try {
      delete(ids, "removing the " + ids.size() + " documents of a failed enrolment from index '" + index + "'");
      if (inFlight.isEmpty()) {
        return new ElasticsearchGalleryException(
            failure + "; none of this call's embeddings was kept", status, type, cause);
      }
      // The request that got no answer may still be applied after these deletes.
      return new ElasticsearchGalleryException(
          failure + "; what was written was removed, but the last request got no answer and may still be "
              + "applied: ids " + range(inFlight) + " may appear in the index",
          status, type, cause, inFlight.stream().mapToLong(Long::longValue).toArray());
    } catch (ElasticsearchGalleryException e) {
      LOG.log(System.Logger.Level.WARNING, "could not remove the documents of a failed enrolment: " + e.getMessage());
      List<Long> all = new ArrayList<>(written);
      all.addAll(inFlight);
      ElasticsearchGalleryException x = new ElasticsearchGalleryException(
          failure + "; then removing what was written failed too (" + e.getMessage() + "): ids " + range(all)
              + " may be in the index; remove them once the cluster is back",
          status, type, cause, all.stream().mapToLong(Long::longValue).toArray());
      x.addSuppressed(e);
      return x;
    }
  }

  private static String range(List<Long> ids) {
    long min = ids.stream().mapToLong(Long::longValue).min().orElse(0);
    long max = ids.stream().mapToLong(Long::longValue).max().orElse(0);
    return min == max ? Long.toString(min) : min + " to " + max + " (" + ids.size() + " ids)";
  }
}
