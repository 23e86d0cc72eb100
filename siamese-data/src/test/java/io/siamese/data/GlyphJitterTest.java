package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class GlyphJitterTest {

  @Test
  void noneHasEmptyRanges() {
    GlyphJitter none = GlyphJitter.none();
    assertEquals(0.0, none.maxRotationDegrees());
    assertEquals(none.minScale(), none.maxScale());
    assertEquals(1.0, none.minScale());
    assertEquals(0.0, none.maxShear());
    assertEquals(0.0, none.maxTranslation());
    assertEquals(none.minStrokeWidth(), none.maxStrokeWidth());
    assertEquals(0.0, none.maxWobble());
  }

  @Test
  void defaultsAreModerate() {
    GlyphJitter d = GlyphJitter.defaults();
    assertEquals(10.0, d.maxRotationDegrees());
    assertEquals(0.9, d.minScale());
    assertEquals(1.1, d.maxScale());
    assertEquals(0.15, d.maxShear());
    assertEquals(0.08, d.maxTranslation());
    assertEquals(1.0, d.minStrokeWidth());
    assertEquals(2.0, d.maxStrokeWidth());
    assertEquals(d, GlyphJitter.builder().build());
  }

  @Test
  void builderChangesOnlyWhatItIsTold() {
    GlyphJitter j = GlyphJitter.none().toBuilder().rotation(30).strokeWidth(2, 3).build();
    assertEquals(30.0, j.maxRotationDegrees());
    assertEquals(2.0, j.minStrokeWidth());
    assertEquals(3.0, j.maxStrokeWidth());
    assertEquals(0.0, j.maxShear());
    assertEquals(GlyphJitter.none(), j.toBuilder().rotation(0).strokeWidth(1.5, 1.5).build());
    assertNotEquals(GlyphJitter.none(), j);
    assertEquals(
        GlyphJitter.none().hashCode(),
        j.toBuilder().rotation(0).strokeWidth(1.5, 1.5).build().hashCode());
  }

  @Test
  void rejectsOutOfRangeSettingsNamingThem() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().rotation(-1).build(),
        "rotation",
        "got -1.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().rotation(Double.NaN).build(),
        "rotation",
        "NaN");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().scale(0, 1).build(),
        "minimum scale",
        "got 0.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().scale(1.2, 1.1).build(),
        "maximum scale",
        "got 1.1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().shear(1.5).build(),
        "shear",
        "got 1.5");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().translation(0.6).build(),
        "translation",
        "got 0.6");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().strokeWidth(-1, 2).build(),
        "minimum stroke width",
        "got -1.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().strokeWidth(2, 1).build(),
        "maximum stroke width",
        "got 1.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> GlyphJitter.builder().wobble(Double.POSITIVE_INFINITY).build(),
        "wobble",
        "Infinity");
  }
}
