package io.siamese.losses;

/** Checks shared by the loss builders, with messages that name the setting and the bad value. */
final class Settings {
  private Settings() {}

  /**
   * Fails if a builder setting whose current value is {@code current} (null: unset) is set again.
   */
  static void once(Object current, String name) {
    if (current != null) {
      Object shown = current instanceof Distance d ? d.name() : current;
      throw new IllegalStateException(name + " was already set to " + shown);
    }
  }

  /** {@code reduction}, if it gives a scalar (any but {@link Reduction#NONE}). */
  static Reduction scalarReduction(Reduction reduction) {
    java.util.Objects.requireNonNull(reduction, "reduction");
    if (reduction == Reduction.NONE) {
      throw new IllegalArgumentException(
          "reduction must give a scalar (MEAN, SUM or MEAN_OVER_NONZERO), got NONE");
    }
    return reduction;
  }

  /** {@code value}, if finite and {@code >= 0}. */
  static double nonNegative(String name, double value) {
    if (!(Double.isFinite(value) && value >= 0)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
    return value;
  }

  /** {@code value}, if finite and {@code > 0}. */
  static double positive(String name, double value) {
    if (!(Double.isFinite(value) && value > 0)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
    return value;
  }

  /** {@code value}, if finite. */
  static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite, got " + value);
    }
    return value;
  }
}
