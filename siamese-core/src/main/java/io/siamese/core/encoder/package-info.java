/**
 * Encoder architectures as values: {@link io.siamese.core.encoder.EncoderSpec} (the fluent builder,
 * and {@code conv4}, {@code koch}, {@code resnet12}) and its layers ({@link
 * io.siamese.core.encoder.LayerSpec} and the records that implement it), with shapes checked as
 * they are added. No TensorFlow state: a spec can be compared, printed, saved and built into any
 * number of models.
 */
package io.siamese.core.encoder;
