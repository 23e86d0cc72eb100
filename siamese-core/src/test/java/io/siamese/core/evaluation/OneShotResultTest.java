package io.siamese.core.evaluation;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OneShotResultTest {

  @Test
  void meanAndNinetyFivePercentIntervalOfEpisodeAccuracies() {
    // Mean 0.75; squared deviations 0.0625 x 3 + 0.5625 = 0.75; sample variance 0.75 / 3 = 0.25;
    // standard error sqrt(0.25 / 4) = 0.25; interval 1.96 x 0.25 = 0.49.
    OneShotResult r = OneShotResult.fromEpisodes(20, 1, new double[] {1, 0, 1, 1});
    assertEquals(0.75, r.accuracy(), 1e-12);
    assertEquals(0.49, r.confidence95(), 1e-12);
    assertEquals(4, r.episodes());
    assertEquals(0.05, r.chance(), 1e-12);
    assertEquals("20-way 1-shot accuracy 75.00% +/- 49.00% (4 episodes, chance 5.00%)", r.toString());
    assertMessage(IllegalArgumentException.class, () -> OneShotResult.fromEpisodes(5, 1, new double[] {1}), "at least 2 episodes");
  }
}
