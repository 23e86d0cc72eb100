package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.gallery.OneShotPrediction;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OneShotClassifierTest {
  private static LabeledDataset glyphs;
  private static SiameseModel model;

  @BeforeAll
  static void setUp() {
    glyphs = SyntheticGlyphs.builder().classes(6).examplesPerClass(3).imageSize(28).seed(9).build().generate();
    model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8))
            .loss(ContrastiveLoss.similarIsOne())
            .seed(2)
            .build();
  }

  @AfterAll
  static void tearDown() {
    model.close();
  }

  @Test
  void answersTheNearestEnrolledExampleFoundByBruteForce() {
    OneShotClassifier<String> c = model.oneShotClassifier(Double.POSITIVE_INFINITY);
    List<Integer> enrolled = new ArrayList<>();
    for (int label = 0; label < 6; label++) {
      int index = glyphs.indicesOfClass(label)[0];
      enrolled.add(index);
      c.enrol("class" + label, glyphs.features(index));
    }
    assertEquals(6, c.size());
    assertEquals(Set.of("class0", "class1", "class2", "class3", "class4", "class5"), c.classes());
    for (int q = 0; q < glyphs.size(); q++) {
      float[] query = glyphs.features(q);
      int best = -1;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int index : enrolled) {
        double d = model.distance(query, glyphs.features(index));
        if (d < bestDistance) {
          bestDistance = d;
          best = index;
        }
      }
      OneShotPrediction<String> p = c.classify(query);
      assertEquals("class" + glyphs.label(best), p.nearest(), "query " + q);
      assertEquals(bestDistance, p.distance(), 1e-5);
      assertTrue(p.known());
    }
  }

  @Test
  void farQueriesAreUnknownAndEnrolledOnesAreThemselves() {
    float[] a = glyphs.features(0);
    float[] b = glyphs.features(glyphs.indicesOfClass(3)[0]);
    double d = model.distance(a, b);
    OneShotClassifier<Integer> c = model.oneShotClassifier(d / 2);
    c.enrol(0, a);
    OneShotPrediction<Integer> self = c.classify(a);
    assertEquals(0, self.label().orElseThrow());
    assertEquals(0.0, self.distance(), 1e-6);
    OneShotPrediction<Integer> far = c.classify(b);
    assertFalse(far.known());
    assertTrue(far.label().isEmpty());
    assertEquals(0, far.nearest());
    assertEquals(d, far.distance(), 1e-5);
  }

  @Test
  void enrolmentAndClassificationFromManyThreadsAgree() throws Exception {
    OneShotClassifier<Integer> c = model.oneShotClassifier(Double.POSITIVE_INFINITY);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < glyphs.size(); i++) {
        int index = i;
        jobs.add(pool.submit(() -> c.enrol(index, glyphs.features(index))));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
      List<Future<OneShotPrediction<Integer>>> answers = new ArrayList<>();
      for (int i = 0; i < glyphs.size(); i++) {
        int index = i;
        answers.add(pool.submit(() -> c.classify(glyphs.features(index))));
      }
      for (int i = 0; i < glyphs.size(); i++) {
        assertEquals(i, answers.get(i).get().nearest());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(glyphs.size(), c.size());
  }

  @Test
  void misuseIsReportedClearly() {
    assertMessage(IllegalStateException.class, () -> model.oneShotClassifier(1.0).classify(glyphs.features(0)), "no example is enrolled");
    assertMessage(IllegalArgumentException.class, () -> model.oneShotClassifier(0), "got 0.0");
    assertMessage(NullPointerException.class, () -> model.<String>oneShotClassifier(1.0).enrol(null, glyphs.features(0)), "label");
    assertMessage(IllegalArgumentException.class, () -> model.oneShotClassifier(1.0).enrol("x", new float[3]), "3 floats");
  }
}
