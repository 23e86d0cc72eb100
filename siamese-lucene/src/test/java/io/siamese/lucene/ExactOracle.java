package io.siamese.lucene;

import io.siamese.core.gallery.Neighbor;
import io.siamese.losses.Distance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact answer the galleries are checked against: a brute-force scan over every enrolled
 * embedding with {@link Distance#between}, nearest first, ties to the smaller id. Written
 * independently of the gallery code.
 */
final class ExactOracle<L> {
  private final Distance distance;
  private final Map<Long, float[]> vectors = new LinkedHashMap<>();
  private final Map<Long, L> labels = new LinkedHashMap<>();

  ExactOracle(Distance distance) {
    this.distance = distance;
  }

  void add(long id, L label, float[] vector) {
    vectors.put(id, vector.clone());
    labels.put(id, label);
  }

  void remove(long id) {
    vectors.remove(id);
    labels.remove(id);
  }

  int size() {
    return vectors.size();
  }

  List<Neighbor<L>> nearest(float[] query, int k) {
    List<Neighbor<L>> all = new ArrayList<>(vectors.size());
    for (Map.Entry<Long, float[]> e : vectors.entrySet()) {
      all.add(new Neighbor<>(labels.get(e.getKey()), e.getKey(), distance.between(query, e.getValue())));
    }
    all.sort(Comparator.<Neighbor<L>>comparingDouble(Neighbor::distance).thenComparingLong(Neighbor::id));
    return all.subList(0, Math.min(k, all.size()));
  }
}
