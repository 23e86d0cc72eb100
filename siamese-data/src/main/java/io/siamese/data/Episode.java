package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One N-way K-shot episode as dataset indices: a support set of K examples for each of N classes,
 * and query examples from the same N classes, none of which is in the support set.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class Episode {
  private final int[] support;
  private final int[] supportLabels;
  private final int[] queries;
  private final int[] queryLabels;

  /**
   * @param support dataset indices of the support examples
   * @param supportLabels class label of each support example
   * @param queries dataset indices of the query examples
   * @param queryLabels true class label of each query
   */
  public Episode(int[] support, int[] supportLabels, int[] queries, int[] queryLabels) {
    checkNotNull(support, "support");
    checkNotNull(supportLabels, "supportLabels");
    checkNotNull(queries, "queries");
    checkNotNull(queryLabels, "queryLabels");
    checkArgument(support.length > 0, "an episode needs a support set");
    checkArgument(queries.length > 0, "an episode needs at least one query");
    checkArgument(
        support.length == supportLabels.length,
        "support and supportLabels differ in length: %s vs %s",
        support.length,
        supportLabels.length);
    checkArgument(
        queries.length == queryLabels.length,
        "queries and queryLabels differ in length: %s vs %s",
        queries.length,
        queryLabels.length);
    this.support = support.clone();
    this.supportLabels = supportLabels.clone();
    this.queries = queries.clone();
    this.queryLabels = queryLabels.clone();
  }

  /** Dataset indices of the support set; a fresh copy. */
  public int[] support() {
    return support.clone();
  }

  /** Class label of each support example; a fresh copy. */
  public int[] supportLabels() {
    return supportLabels.clone();
  }

  /** Dataset indices of the queries; a fresh copy. */
  public int[] queries() {
    return queries.clone();
  }

  /** True class label of each query; a fresh copy. */
  public int[] queryLabels() {
    return queryLabels.clone();
  }
}
