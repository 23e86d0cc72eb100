package io.siamese.core.evaluation;

/**
 * N-way K-shot classification accuracy over many episodes.
 *
 * @param ways classes per episode
 * @param shots support examples per class
 * @param episodes number of episodes
 * @param accuracy mean over episodes of the fraction of queries classified right
 * @param confidence95 half-width of the 95% confidence interval of {@code accuracy} (1.96 standard
 *     errors of the per-episode accuracies)
 */
public record OneShotResult(int ways, int shots, int episodes, double accuracy, double confidence95) {

  /**
   * The result of episodes whose accuracies (fractions of queries right, one per episode) are
   * given: their mean, and 1.96 standard errors as the 95% interval.
   *
   * @param accuracies at least two episodes' accuracies
   */
  public static OneShotResult fromEpisodes(int ways, int shots, double[] accuracies) {
    if (accuracies.length < 2) {
      throw new IllegalArgumentException("a confidence interval needs at least 2 episodes, got " + accuracies.length);
    }
    int n = accuracies.length;
    double mean = java.util.Arrays.stream(accuracies).average().orElseThrow();
    double var = 0;
    for (double a : accuracies) {
      var += (a - mean) * (a - mean);
    }
    return new OneShotResult(ways, shots, n, mean, 1.96 * Math.sqrt(var / (n - 1) / n));
  }

  /** Accuracy expected by guessing: {@code 1 / ways}. */
  public double chance() {
    return 1.0 / ways;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%d-way %d-shot accuracy %.2f%% +/- %.2f%% (%d episodes, chance %.2f%%)",
        ways,
        shots,
        100 * accuracy,
        100 * confidence95,
        episodes,
        100 * chance());
  }
}
