package io.siamese.core.evaluation;

/**
 * One point of a ROC curve: calling pairs same when {@code distance <= threshold} accepts {@code
 * truePositiveRate} of the same-class pairs and {@code falsePositiveRate} of the others.
 *
 * @param threshold the distance threshold
 * @param falsePositiveRate false accept rate, in [0, 1]
 * @param truePositiveRate true accept rate (recall), in [0, 1]
 */
public record RocPoint(double threshold, double falsePositiveRate, double truePositiveRate) {}
