package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * Every weight of a {@link SiameseModel} at one moment: the encoder's, a loss's own (the Koch
 * head's) and the optimizer's state, by variable name. Take it with {@link SiameseModel#weights()}
 * and put it back with {@link SiameseModel#setWeights} (as Keras' {@code get_weights} and {@code
 * set_weights}); early stopping keeps the best epoch's this way.
 *
 * <p>Immutable: the values are copied out of the model once and never change; {@link #values}
 * returns copies. Holds {@code 4 * parameterCount()} bytes of heap.
 */
public final class ModelWeights {
  private final ImmutableList<WeightsFile.Entry> entries;

  ModelWeights(List<WeightsFile.Entry> entries) {
    this.entries = ImmutableList.copyOf(entries);
  }

  List<WeightsFile.Entry> entries() {
    return entries;
  }

  /** The variables' names, sorted. */
  public List<String> names() {
    return entries.stream().map(WeightsFile.Entry::name).toList();
  }

  /** The shape of variable {@code name}. */
  public long[] shape(String name) {
    return entry(name).shape().clone();
  }

  /** A copy of the values of variable {@code name}, row-major. */
  public float[] values(String name) {
    return entry(name).values().clone();
  }

  /** Number of floats in all. */
  public long parameterCount() {
    long n = 0;
    for (WeightsFile.Entry e : entries) {
      n += e.values().length;
    }
    return n;
  }

  private WeightsFile.Entry entry(String name) {
    for (WeightsFile.Entry e : entries) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    checkArgument(false, "no variable %s; the variables are %s", name, names());
    throw new AssertionError();
  }

  @Override
  public String toString() {
    return "ModelWeights(" + entries.size() + " variables, " + parameterCount() + " floats)";
  }
}
