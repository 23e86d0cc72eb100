package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code threads(intraOp, ...)} cannot size TensorFlow's process-wide intra-op pool unless
 * {@code TF_OVERRIDE_GLOBAL_THREADPOOL} is set; the model says so instead of ignoring it quietly.
 */
class ThreadsWarningTest {
  private static final ExampleShape SHAPE = ExampleShape.image(8, 8, 1);

  @Test
  void anIntraOpSettingThatCannotTakeEffectIsWarnedAbout() {
    List<String> warnings = warningsWhileBuilding(1, 1);
    if (SiameseModelBuilder.perSessionIntraOpPools()) {
      assertEquals(List.of(), warnings, "TF_OVERRIDE_GLOBAL_THREADPOOL is set: the setting takes effect");
    } else {
      assertEquals(1, warnings.size(), "one warning for threads(1, 1)");
      String message = warnings.get(0);
      assertTrue(message.contains("threads(1, 1)"), message);
      assertTrue(message.contains("TF_OVERRIDE_GLOBAL_THREADPOOL=1"), message);
    }
  }

  @Test
  void theDefaultAndAnInterOpOnlySettingAreNotWarnedAbout() {
    assertEquals(List.of(), warningsWhileBuilding(0, 1));
    assertEquals(List.of(), warningsWhileBuilding(0, 0));
  }

  private static List<String> warningsWhileBuilding(int intraOp, int interOp) {
    return LoggedWarnings.during(SessionConfig.class, () -> {
      try (SiameseModel model =
          SiameseModel.builder()
              .encoder(EncoderSpec.builder(SHAPE).flatten().dense(4).build())
              .loss(ContrastiveLoss.similarIsOne())
              .threads(intraOp, interOp)
              .build()) {
        assertEquals(4, model.embeddingSize());
      }
    });
  }
}
