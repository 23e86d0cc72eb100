package io.siamese.losses;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * One trainable parameter that a {@link LearnedParameterLoss} declares and the model owns: its
 * name, its shape and how to initialise it.
 *
 * <p>The initial values are a pure function of a seed, the name and the shape ({@link
 * #initialValues}), computed in plain Java: a trainer creates the variable from them, and a test
 * can compute the same numbers without a graph. Two parameters of one loss get different values
 * from the same seed, because the name is mixed into it.
 *
 * <pre>{@code
 * LossParameter p = LossParameter.of("class_weights", new long[] {10, 64},
 *     ParameterInitializer.normal(1.0));
 * float[] initial = p.initialValues(42);   // 640 floats, row-major, the same on every machine
 * }</pre>
 *
 * <p>Immutable; the shape array is copied in and out.
 */
public final class LossParameter {
  /** The most entries a parameter may have: the largest Java array. */
  public static final long MAX_SIZE = Integer.MAX_VALUE - 8;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final String name;
  private final long[] shape;
  private final long size;
  private final ParameterInitializer initializer;

  private LossParameter(String name, long[] shape, long size, ParameterInitializer initializer) {
    this.name = name;
    this.shape = shape;
    this.size = size;
    this.initializer = initializer;
  }

  /**
   * A parameter.
   *
   * @param name lower case letters, digits and underscores, starting with a letter, at most 64
   *     characters (it becomes part of a variable name), e.g. {@code "class_weights"}
   * @param shape every dimension {@code >= 1}; an empty shape is a scalar
   * @param initializer computes the initial values
   * @throws IllegalArgumentException for a bad name, a dimension below 1, or more than {@link
   *     #MAX_SIZE} entries
   */
  public static LossParameter of(String name, long[] shape, ParameterInitializer initializer) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(initializer, "initializer");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "parameter name must be lower case letters, digits and '_', starting with a letter,"
              + " at most 64 characters, got '"
              + name
              + "'");
    }
    long size = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "parameter " + name + " must have dimensions >= 1, got " + Arrays.toString(shape));
      }
      if (size > MAX_SIZE / d) {
        throw new IllegalArgumentException(
            "parameter "
                + name
                + " of shape "
                + Arrays.toString(shape)
                + " has more than "
                + MAX_SIZE
                + " entries");
      }
      size *= d;
    }
    return new LossParameter(name, shape.clone(), size, initializer);
  }

  /** The name, unique within its loss. */
  public String name() {
    return name;
  }

  /** The shape; a fresh copy. */
  public long[] shape() {
    return shape.clone();
  }

  /** The number of entries, the product of the shape. */
  public long size() {
    return size;
  }

  /** How the initial values are computed. */
  public ParameterInitializer initializer() {
    return initializer;
  }

  /**
   * The initial values, row-major, {@link #size()} floats: the initializer's values from a {@link
   * SplittableRandom} seeded with {@code seed} mixed with the name, so the same seed gives the same
   * values on every machine and every run.
   *
   * @throws IllegalStateException if the initializer returns the wrong number of values or a value
   *     that is not finite
   */
  public float[] initialValues(long seed) {
    float[] values = initializer.values(shape.clone(), new SplittableRandom(seed ^ nameHash(name)));
    if (values == null || values.length != size) {
      throw new IllegalStateException(
          "the initializer of "
              + name
              + " returned "
              + (values == null ? "null" : values.length + " values")
              + " for shape "
              + Arrays.toString(shape)
              + ", which needs "
              + size);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalStateException(
            "the initializer of " + name + " returned " + values[i] + " at position " + i);
      }
    }
    return values;
  }

  /** FNV-1a over the name's characters: fixed by this class, unlike {@code String.hashCode}. */
  private static long nameHash(String name) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < name.length(); i++) {
      h ^= name.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Equal when the name, shape and initializer are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof LossParameter p
        && name.equals(p.name)
        && Arrays.equals(shape, p.shape)
        && initializer.equals(p.initializer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), initializer);
  }

  /** For example {@code class_weights [10, 64] normal(1.0)}. */
  @Override
  public String toString() {
    return name + " " + Arrays.toString(shape) + " " + initializer;
  }
}
