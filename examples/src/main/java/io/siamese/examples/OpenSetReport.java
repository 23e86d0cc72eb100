package io.siamese.examples;

import io.siamese.core.Embedder;
import io.siamese.core.evaluation.OpenSetEvaluator;
import io.siamese.core.evaluation.OpenSetResult;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.gallery.UnknownRule;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.Distance;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Open-set identification as an application meets it: a gallery of 20 characters of one alphabet,
 * one drawing each, probed with new drawings of those characters and of the alphabet's other
 * characters, which must be answered "unknown". For both rules of {@link UnknownRule} (the distance
 * to the nearest enrolled drawing; its ratio to the second nearest character's) the threshold is
 * calibrated on the validation alphabets for a target false-alarm rate (the fraction of
 * never-enrolled probes given a label), then checked on the test alphabets.
 *
 * <p><b>Smaller validation galleries.</b> An alphabet needs more than 20 characters to hold a
 * 20-character gallery and an unknown one; Tagalog, the example's validation alphabet, has 17. The
 * calibration then enrols {@code n < 20} (16 for Tagalog) and aims at the false-alarm rate a gallery
 * of {@code n} has when a gallery of 20 has the target: a never-enrolled probe raises an alarm when
 * any enrolled character is within the threshold, so if each does so independently with
 * probability {@code q}, {@code FAR(n) = 1 - (1 - q)^n} and {@code FAR(n) = 1 - (1 - FAR(20))^(n /
 * 20)}.
 */
final class OpenSetReport {
  static final int ENROLLED = 20;
  static final double[] TARGETS = {0.01, 0.05, 0.10};
  private static final int UNKNOWN_PROBES = 5;

  private OpenSetReport() {}

  /**
   * Calibrates on {@code validation}, reports on {@code test} when given, and returns the calibrated
   * thresholds as operating points named {@code open-set-far-0.01}, {@code -0.05}, {@code -0.1}
   * (distance) and {@code open-set-ratio-far-0.01}, ... (distance ratio).
   *
   * @param test the test alphabets, or null (a model trained on every alphabet)
   */
  static List<OperatingPoint> run(Embedder embedder, Distance distance, LabeledDataset validation, LabeledDataset test,
      int trials, long seed, PrintStream out) {
    int largest = Arrays.stream(validation.groupIds()).map(g -> validation.classesOfGroup(g).length).max().orElse(0);
    int n = Math.min(ENROLLED, largest - 1);
    if (n < 2) {
      out.println("Open set: no validation alphabet has 3 characters or more; skipped");
      return List.of();
    }
    OpenSetResult calibration = OpenSetEvaluator.builder(validation).enrolledClasses(n).probesPerClass(1, UNKNOWN_PROBES)
        .trials(3 * trials).seed(seed).build().evaluate(embedder, distance);
    OpenSetResult onTest = test == null ? null
        : OpenSetEvaluator.builder(test).enrolledClasses(ENROLLED).probesPerClass(1, UNKNOWN_PROBES).trials(trials)
            .seed(seed + 1).build().evaluate(embedder, distance);
    out.printf(Locale.ROOT, "Open set: galleries of %d characters of one alphabet, one drawing each; the threshold calibrated on "
        + "%s (%s)%s%n", ENROLLED, OmniglotOneShot.alphabets(validation),
        n == ENROLLED ? calibration : n + " enrolled, each target scaled to " + n + " characters; " + calibration,
        onTest == null ? "" : "; on the test alphabets: " + onTest);
    List<OperatingPoint> points = new ArrayList<>();
    String source = String.format(Locale.ROOT, "%d open-set trials on %s, %d enrolled characters, one drawing each",
        3 * trials, OmniglotOneShot.alphabets(validation), n);
    for (UnknownRule.Kind kind : UnknownRule.Kind.values()) {
      out.println(kind == UnknownRule.Kind.DISTANCE
          ? "  unknown beyond a distance to the nearest enrolled drawing:"
          : "  unknown beyond a ratio of the nearest character's distance to the second nearest's:");
      for (double target : TARGETS) {
        double scaled = 1 - Math.pow(1 - target, n / (double) ENROLLED);
        // The point of the scaled target, kept under the unscaled target it stands for.
        OperatingPoint point = calibration.falseAlarmRatePoint(kind, scaled, source);
        double threshold = point.threshold();
        String name = (kind == UnknownRule.Kind.DISTANCE ? "open-set-far-" : "open-set-ratio-far-") + target;
        points.add(new OperatingPoint(name, threshold, point.criterion(), target, source));
        if (onTest == null) {
          out.printf(Locale.ROOT, "    target FAR %4.1f%%: threshold %.5g (validation FAR %.2f%%, DIR %.2f%%)%n", 100 * target,
              threshold, 100 * calibration.falseAlarmRate(kind, threshold),
              100 * calibration.detectionAndIdentificationRate(kind, threshold));
        } else {
          out.printf(Locale.ROOT, "    target FAR %4.1f%%: threshold %.5g; test FAR %.2f%%, DIR %.2f%% (DIR at the test's own "
                  + "%.0f%% threshold %.2f%%)%n", 100 * target, threshold, 100 * onTest.falseAlarmRate(kind, threshold),
              100 * onTest.detectionAndIdentificationRate(kind, threshold), 100 * target, 100 * onTest.dirAtFar(kind, target));
        }
      }
    }
    return points;
  }
}
