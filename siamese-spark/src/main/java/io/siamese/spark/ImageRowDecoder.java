package io.siamese.spark;

import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Decodes a {@code binaryFile} row's bytes with an {@link ImageReader}: by default the {@code embed}
 * command's (the model's input shape, area resize, inverted for dark ink), or the reader the user
 * gave. The reader travels as its {@link ImageReader#describe() description} and is rebuilt once
 * per executor decoder, since the default one needs the loaded model's shape.
 */
final class ImageRowDecoder implements RowDecoder {
  private static final long serialVersionUID = 1L;

  /**
   * How images are read: {@code description} of a user's reader, or null for the embed command's
   * reader with {@code darkInk}.
   */
  record Settings(boolean darkInk, String description) implements Serializable {
    static final Settings DEFAULT = new Settings(true, null);
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

  /** The reader for a model of {@code shape}. */
  static ImageReader readerFor(Settings settings, ExampleShape shape) {
    if (settings.description() != null) {
      ImageReader r = ImageReader.parse(settings.description());
      if (!r.shape().equals(shape)) {
        throw new IllegalArgumentException("the image reader makes " + r.shape() + " inputs, the model expects " + shape);
      }
      return r;
    }
    if (!shape.isImage()) {
      throw new IllegalArgumentException("the model expects " + shape + ", not images; embed an array<float> column instead");
    }
    return ImageReader.builder(shape).invert(settings.darkInk()).build();
  }

  /** {@link ImageReader}'s messages name the image by the {@code path} given. */
  @Override
  public boolean messagesNameTheRow() {
    return true;
  }

  @Override
  public void checkModel(ExampleShape shape) {
    ImageReader r = reader;
    if (r == null || !r.shape().equals(shape)) {
      reader = readerFor(settings, shape);
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
