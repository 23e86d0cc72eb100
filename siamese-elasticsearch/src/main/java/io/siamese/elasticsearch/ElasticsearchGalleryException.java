package io.siamese.elasticsearch;

/**
 * Elasticsearch could not be reached, or refused or failed a request of an {@link
 * ElasticsearchGallery}. The message names the cluster, the index, what was being done, and
 * Elasticsearch's status and error type where there was an answer.
 *
 * <p>A failed enrolment tries to remove what it had already written, so that nothing of the call
 * stays; {@link #unresolvedIds()} lists the ids it could not confirm removed (empty when the
 * cleanup succeeded or nothing was written): remove them with {@link ElasticsearchGallery#remove}
 * once the cluster is back, or keep them if the enrolment is retried under the same labels.
 */
public final class ElasticsearchGalleryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorType;
  private final long[] unresolvedIds;

  ElasticsearchGalleryException(String message, int status, String errorType, Throwable cause) {
    this(message, status, errorType, cause, new long[0]);
  }

  ElasticsearchGalleryException(String message, int status, String errorType, Throwable cause, long[] unresolvedIds) {
    super(message, cause);
    this.status = status;
    this.errorType = errorType;
    this.unresolvedIds = unresolvedIds.clone();
  }

  /** The HTTP status Elasticsearch answered with; 0 when there was no answer (unreachable, timeout). */
  public int status() {
    return status;
  }

  /** Elasticsearch's error type, e.g. {@code "version_conflict_engine_exception"}; null when unknown. */
  public String errorType() {
    return errorType;
  }

  /**
   * Ids of a failed enrolment that may still be in the index: written, then not confirmed removed.
   * Empty when nothing of the call remains. A copy.
   */
  public long[] unresolvedIds() {
    return unresolvedIds.clone();
  }
}
