package io.siamese.spark;

import io.siamese.core.SavedModelEmbedder;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Decodes a {@code binaryFile} row's bytes with the {@link ImageReader} the {@code embed} command
 * would use for the same model: the user's reader if one was given, else the one the exporting
 * model kept ({@code SiameseModel.setPreprocessing}), else the default for the model's input
 * (grayscale inverted for dark ink, {@code darkInk(false)} for light ink; RGB for a colour model).
 * The choice needs the loaded model, so it is made on the executor; a user's reader travels as its
 * {@link ImageReader#describe() description}.
 */
final class ImageRowDecoder implements RowDecoder {
  private static final long serialVersionUID = 1L;

  /**
   * How images are read: {@code description} of a user's reader, or null; {@code darkInk} as the
   * user set it, or null when not set.
   */
  record Settings(Boolean darkInk, String description) implements Serializable {
    static final Settings DEFAULT = new Settings(null, null);
  }

  private final int content;
  private final int path;
  private final Settings settings;
  private transient volatile ImageReader reader;

  ImageRowDecoder(int content, int path, Settings settings) {
    this.content = content;
    this.path = path;
    this.settings = settings;
  }

  /** The reader for {@code model}, chosen as the {@code embed} command chooses it. */
  static ImageReader readerFor(Settings settings, SavedModelEmbedder model) {
    ExampleShape shape = model.inputShape();
    if (!shape.isImage() || (shape.channels() != 1 && shape.channels() != 3)) {
      throw new IllegalArgumentException(
          "the model expects " + shape + "; embedImages reads images into h x w x 1 (grayscale) or h x w x 3 (RGB) inputs");
    }
    ImageReader r;
    if (settings.description() != null) {
      r = ImageReader.parse(settings.description());
    } else if (model.preprocessing().isPresent()) {
      r = model.preprocessing().get();
    } else {
      boolean invert = shape.channels() == 1 && (settings.darkInk() == null || settings.darkInk());
      return ImageReader.builder(shape).invert(invert).build();
    }
    if (!r.shape().equals(shape)) {
      throw new IllegalArgumentException("the image reader makes " + r.shape() + " inputs, the model expects " + shape);
    }
    if (settings.darkInk() != null && settings.darkInk() != r.inverts()) {
      throw new IllegalArgumentException("darkInk(" + settings.darkInk() + ") contradicts the model's preprocessing (" + r.describe() + "); leave darkInk out");
    }
    return r;
  }

  /** {@link ImageReader}'s messages name the image by the {@code path} given. */
  @Override
  public boolean messagesNameTheRow() {
    return true;
  }

  @Override
  public void prepare(SavedModelEmbedder model) {
    if (reader == null) {
      reader = readerFor(settings, model);
    }
  }

  @Override
  public float[] decode(Row row, ExampleShape shape) {
    byte[] bytes = (byte[]) row.get(content);
    String name = String.valueOf(row.get(path));
    if (bytes == null) {
      throw new IllegalArgumentException("image " + name + " has no content (null)");
    }
    return reader.read(bytes, name);
  }
}
