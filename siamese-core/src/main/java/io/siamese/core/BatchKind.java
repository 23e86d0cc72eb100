package io.siamese.core;

/**
 * How a training step lays out its batch in the model's input, and what it feeds as labels: what
 * a {@link LossBinding} trains on and a sampler must produce.
 */
enum BatchKind {
  /** {@code B} pairs: {@code [left; right]}, {@code 2B} examples, and one pair label per pair. */
  PAIRS(2, "pairs", "fit(PairSampler, ...)"),
  /** {@code B} labelled examples (a P x K batch): one class label per example. */
  LABELLED(1, "examples", "fit(PkBatchSampler, ...)"),
  /**
   * {@code B} examples with dense class ids in {@code [0, C)} over all training classes (a {@code
   * ClassBatchSampler}), for losses with learned class weights or proxies.
   */
  CLASSES(1, "examples", "fit(ClassBatchSampler, ...)"),
  /** {@code B} triplets: {@code [anchor; positive; negative]}, {@code 3B} examples, no labels. */
  TRIPLETS(3, "triplets", "fit(TripletSampler, ...)");

  /** Examples fed per item of the batch. */
  final int examplesPerItem;
  /** What one item is called in progress reports. */
  final String items;
  /** The {@code fit} overload that trains on this kind, for error messages. */
  final String fit;

  BatchKind(int examplesPerItem, String items, String fit) {
    this.examplesPerItem = examplesPerItem;
    this.items = items;
    this.fit = fit;
  }
}
