package io.siamese.core;

import io.siamese.core.evaluation.OperatingPoint;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A model's operating points by name; safe from many threads. */
final class OperatingPoints {
  private final ConcurrentSkipListMap<String, OperatingPoint> byName = new ConcurrentSkipListMap<>();

  void set(OperatingPoint point) {
    byName.put(point.name(), point);
  }

  Optional<OperatingPoint> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** All of them, sorted by name. */
  List<OperatingPoint> all() {
    return List.copyOf(byName.values());
  }
}
