package io.siamese.elasticsearch;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens an {@link ElasticsearchGallery}: where the cluster is, which index, the space of the
 * embeddings, and how a new index is made. Each setting may be given once; {@link #build()} checks
 * them, then connects, and creates the index or checks the one there.
 *
 * <pre>{@code
 * try (ElasticsearchGallery<String> gallery = ElasticsearchGallery.builder(LabelCodec.strings())
 *     .host("http://127.0.0.1:9200")
 *     .index("faces")
 *     .space(model.embeddingSpace())
 *     .vectorIndex(VectorIndex.int8Hnsw(16, 100))
 *     .build()) {
 *   gallery.enrol("ada", model.embed(photo));
 * }
 * }</pre>
 *
 * @param <L> the label type
 */
public final class ElasticsearchGalleryBuilder<L> {
  final LabelCodec<L> codec;
  String host;
  ElasticsearchClient client;
  String index;
  EmbeddingSpace space;
  VectorIndex vectorIndex;
  boolean readOnly;
  private boolean readOnlySet;
  int shards = 1;
  private boolean shardsSet;
  Integer replicas;
  Duration refreshInterval;
  int candidates = 10;
  private boolean candidatesSet;
  int numCandidates = 100;
  private boolean numCandidatesSet;
  int bulkSize = 1_000;
  private boolean bulkSizeSet;
  int idBlock = 1_000;
  private boolean idBlockSet;

  ElasticsearchGalleryBuilder(LabelCodec<L> codec) {
    this.codec = codec;
  }

  /**
   * The cluster's address, e.g. {@code http://127.0.0.1:9200}: the gallery makes its own client
   * and closes it with itself. Give this or {@link #client}.
   */
  public ElasticsearchGalleryBuilder<L> host(String url) {
    checkState(host == null, "host was already set to %s", host);
    host = checkNotNull(url, "url");
    return this;
  }

  /**
   * A client of yours (with your authentication, TLS, timeouts): the gallery uses it and leaves it
   * open; close it after the gallery. Give this or {@link #host}.
   */
  public ElasticsearchGalleryBuilder<L> client(ElasticsearchClient elasticsearchClient) {
    checkState(client == null, "client was already set");
    client = checkNotNull(elasticsearchClient, "client");
    return this;
  }

  /**
   * The index that holds the gallery: one gallery per index. Lowercase, at most 255 bytes, none of
   * {@code \ / * ? " < > | , # :} or spaces, not starting with {@code - _ +}.
   */
  public ElasticsearchGalleryBuilder<L> index(String name) {
    checkState(index == null, "index was already set to %s", index);
    checkNotNull(name, "index");
    checkArgument(
        !name.isEmpty()
            && name.equals(name.toLowerCase(Locale.ROOT))
            && name.chars().noneMatch(c -> "\\/*?\"<>|,#: ".indexOf(c) >= 0)
            && "-_+".indexOf(name.charAt(0)) < 0
            && !name.equals(".")
            && !name.equals("..")
            && name.getBytes(StandardCharsets.UTF_8).length <= 255,
        "'%s' is not a valid Elasticsearch index name: lowercase, at most 255 bytes, none of \\ / * ? \" < > | , # : "
            + "or spaces, not starting with - _ +",
        name);
    index = name;
    return this;
  }

  /**
   * The space of the embeddings, normally {@code model.embeddingSpace()}: an index made in another
   * space is refused. Its distance must be euclidean (or squared euclidean) or cosine.
   */
  public ElasticsearchGalleryBuilder<L> space(EmbeddingSpace embeddingSpace) {
    checkState(space == null, "space was already set to %s", space);
    space = checkNotNull(embeddingSpace, "space");
    return this;
  }

  /**
   * How a new index indexes its vectors; default {@link VectorIndex#hnsw()}. When the index exists,
   * a setting given here must match it (index options are fixed when an index is made).
   */
  public ElasticsearchGalleryBuilder<L> vectorIndex(VectorIndex options) {
    checkState(vectorIndex == null, "vectorIndex was already set to %s", vectorIndex);
    vectorIndex = checkNotNull(options, "vectorIndex");
    return this;
  }

  /**
   * Opens the index for searching only: never creates it (a missing index is an error), and every
   * enrolment or removal throws {@link IllegalStateException}.
   */
  public ElasticsearchGalleryBuilder<L> readOnly() {
    checkState(!readOnlySet, "readOnly was already set");
    readOnlySet = true;
    readOnly = true;
    return this;
  }

  /** Primary shards of a new index; default 1 (one shard holds many millions of 64-float embeddings). */
  public ElasticsearchGalleryBuilder<L> shards(int count) {
    checkState(!shardsSet, "shards was already set to %s", shards);
    checkArgument(count >= 1 && count <= 1024, "shards must be in 1..1024, got %s", count);
    shardsSet = true;
    shards = count;
    return this;
  }

  /** Replicas of each shard of a new index; default Elasticsearch's (1; 0 leaves a one-node cluster green). */
  public ElasticsearchGalleryBuilder<L> replicas(int count) {
    checkState(replicas == null, "replicas was already set to %s", replicas);
    checkArgument(count >= 0, "replicas must be >= 0, got %s", count);
    replicas = count;
    return this;
  }

  /**
   * How often a new index makes recent changes visible to other clients; default Elasticsearch's
   * (1 s). A negative duration turns periodic refreshes off (fastest bulk loading): other clients
   * then see changes only after {@link ElasticsearchGallery#commit()}.
   */
  public ElasticsearchGalleryBuilder<L> refreshInterval(Duration interval) {
    checkState(refreshInterval == null, "refreshInterval was already set to %s", refreshInterval);
    checkNotNull(interval, "refreshInterval");
    checkArgument(!interval.isZero(), "refreshInterval must not be zero (negative turns periodic refresh off)");
    refreshInterval = interval;
    return this;
  }

  /**
   * How many neighbours a query takes from the kNN search and re-ranks exactly (at least the
   * query's k); default 10. More candidates raise recall for a little time per query.
   */
  public ElasticsearchGalleryBuilder<L> candidates(int count) {
    checkState(!candidatesSet, "candidates was already set to %s", candidates);
    checkArgument(count >= 1 && count <= ElasticsearchGallery.MAX_CANDIDATES,
        "candidates must be in 1..%s, got %s", ElasticsearchGallery.MAX_CANDIDATES, count);
    candidatesSet = true;
    candidates = count;
    return this;
  }

  /**
   * The kNN search's {@code num_candidates}: how many nearest candidates HNSW keeps on each shard
   * (at least the candidates above); default 100. More is better recall and slower queries.
   */
  public ElasticsearchGalleryBuilder<L> numCandidates(int count) {
    checkState(!numCandidatesSet, "numCandidates was already set to %s", numCandidates);
    checkArgument(count >= 1 && count <= ElasticsearchGallery.MAX_CANDIDATES,
        "numCandidates must be in 1..%s, got %s", ElasticsearchGallery.MAX_CANDIDATES, count);
    numCandidatesSet = true;
    numCandidates = count;
    return this;
  }

  /** Documents per bulk request when enrolling; default 1,000 (about 1 MB of 64-float embeddings). */
  public ElasticsearchGalleryBuilder<L> bulkSize(int documents) {
    checkState(!bulkSizeSet, "bulkSize was already set to %s", bulkSize);
    checkArgument(documents >= 1 && documents <= 100_000, "bulkSize must be in 1..100000, got %s", documents);
    bulkSizeSet = true;
    bulkSize = documents;
    return this;
  }

  /**
   * Ids reserved from the index's counter at a time; default 1,000. Larger blocks mean fewer round
   * trips for small enrolments and larger gaps in the ids a closed gallery leaves unused.
   */
  public ElasticsearchGalleryBuilder<L> idBlock(int ids) {
    checkState(!idBlockSet, "idBlock was already set to %s", idBlock);
    checkArgument(ids >= 1, "idBlock must be >= 1, got %s", ids);
    idBlockSet = true;
    idBlock = ids;
    return this;
  }

  /**
   * Connects, then creates the index or checks it.
   *
   * @throws IllegalStateException if a required setting is missing or two settings conflict
   * @throws IllegalArgumentException if the space's distance cannot be indexed, the index is missing
   *     and the gallery is read-only, or the index holds another space, another mapping or
   *     something else
   * @throws ElasticsearchGalleryException if the cluster cannot be reached or refuses a request
   */
  public ElasticsearchGallery<L> build() {
    checkState(host != null || client != null, "the cluster must be set: call host(url) or client(client)");
    checkState(host == null || client == null, "give host or client, not both");
    checkState(index != null, "the index must be set");
    checkState(space != null, "the space must be set (normally model.embeddingSpace())");
    checkState(!readOnly || (!shardsSet && replicas == null && refreshInterval == null),
        "shards, replicas and refreshInterval apply when the gallery creates its index; a read-only gallery never does");
    GalleryMapping.similarity(space.distance()); // refuses L1 and the Koch head before connecting
    Cluster cluster = host != null ? Cluster.connect(host) : Cluster.of(client);
    return ElasticsearchGallery.open(this, cluster);
  }
}
