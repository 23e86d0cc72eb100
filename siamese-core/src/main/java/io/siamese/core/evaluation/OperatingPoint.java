package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.gallery.UnknownRule;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A named decision threshold and how it was chosen: the distance at or below which two examples
 * (or a query and its nearest enrolled example) count as the same class. Kept with a model ({@code
 * SiameseModel.setOperatingPoint}, saved and loaded with it, written into its export), so that an
 * application reads back the threshold it was validated at instead of storing it elsewhere.
 *
 * @param name a short key, letters, digits, {@code . _ -}, at most 64 characters, e.g. {@code
 *     "best-accuracy"}
 * @param threshold the distance, finite and {@code >= 0}, in the model's distance; for {@link
 *     Criterion#OPEN_SET_DISTANCE_RATIO}, a ratio of two distances in {@code [0, 1]}
 * @param criterion what the threshold optimised or met
 * @param target the target of the criterion (a false-accept or false-alarm rate in {@code [0, 1]});
 *     NaN when the criterion has none
 * @param source on what it was chosen, e.g. {@code "2000 pairs of 40 held-out classes"}; one line
 */
public record OperatingPoint(String name, double threshold, Criterion criterion, double target, String source) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** How a threshold was chosen. */
  public enum Criterion {
    /** The threshold of the best pair accuracy ({@link PairMetrics#bestThreshold()}). */
    BEST_ACCURACY,
    /** The threshold whose pair false-accept rate is at most the target ({@link PairMetrics#thresholdAtFalseAcceptRate}). */
    FALSE_ACCEPT_RATE,
    /** Where false accepts and false rejects are equally frequent ({@link PairMetrics#equalErrorThreshold()}). */
    EQUAL_ERROR_RATE,
    /** The gallery threshold whose false-alarm rate on never-enrolled classes meets the target (open set). */
    OPEN_SET_FALSE_ALARM_RATE,
    /**
     * The gallery threshold on the nearest class's distance over the second nearest class's whose
     * false-alarm rate on never-enrolled classes meets the target (open set, {@link
     * UnknownRule.Kind#DISTANCE_RATIO}).
     */
    OPEN_SET_DISTANCE_RATIO,
    /** Set by hand. */
    MANUAL
  }

  public OperatingPoint {
    checkNotNull(name, "name");
    checkArgument(NAME.matcher(name).matches(), "operating point name '%s' must be 1-64 letters, digits, '.', '_' or '-'", name);
    checkArgument(Double.isFinite(threshold) && threshold >= 0, "threshold must be finite and >= 0, got %s", threshold);
    checkNotNull(criterion, "criterion");
    checkArgument(criterion != Criterion.OPEN_SET_DISTANCE_RATIO || threshold <= 1,
        "a distance-ratio threshold must be in [0, 1], got %s", threshold);
    checkArgument(Double.isNaN(target) || (target >= 0 && target <= 1), "target must be in [0, 1] or NaN, got %s", target);
    checkNotNull(source, "source");
    checkArgument(source.indexOf('\n') < 0 && source.indexOf('\r') < 0 && source.length() <= 1000, "source must be one line of at most 1000 characters");
  }

  /** A threshold set by hand. */
  public static OperatingPoint manual(String name, double threshold, String source) {
    return new OperatingPoint(name, threshold, Criterion.MANUAL, Double.NaN, source);
  }

  /**
   * The rule a one-shot classifier answers "unknown" by at this point: the distance ratio for
   * {@link Criterion#OPEN_SET_DISTANCE_RATIO}, the distance for every other criterion.
   *
   * @throws IllegalArgumentException if this is a distance point whose threshold is 0
   */
  public UnknownRule unknownRule() {
    return criterion == Criterion.OPEN_SET_DISTANCE_RATIO
        ? UnknownRule.distanceRatio(threshold)
        : UnknownRule.distance(threshold);
  }

  /** The same point under another name. */
  public OperatingPoint withName(String newName) {
    return new OperatingPoint(newName, threshold, criterion, target, source);
  }

  /**
   * The point without its name as one line, {@code threshold CRITERION target source}, as model
   * files store it; {@link #parse} reads it back.
   */
  public String describe() {
    return threshold + " " + criterion + " " + target + " " + source;
  }

  /**
   * The point named {@code name} that {@link #describe} wrote as {@code text}.
   *
   * @throws IllegalArgumentException naming the text if it is not one
   */
  public static OperatingPoint parse(String name, String text) {
    String[] t = text.split(" ", 4);
    checkArgument(t.length >= 3, "bad operating point %s='%s'", name, text);
    try {
      return new OperatingPoint(
          name, Double.parseDouble(t[0]), Criterion.valueOf(t[1]), Double.parseDouble(t[2]), t.length > 3 ? t[3] : "");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad operating point " + name + "='" + text + "': " + e.getMessage(), e);
    }
  }

  /** For example {@code best-accuracy: 0.8125 (BEST_ACCURACY on 2000 validation pairs)}. */
  @Override
  public String toString() {
    String t = Double.isNaN(target) ? "" : String.format(Locale.ROOT, " %.4g", target);
    return name + ": " + threshold + " (" + criterion + t + (source.isEmpty() ? "" : " on " + source) + ")";
  }
}
