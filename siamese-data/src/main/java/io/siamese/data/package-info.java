/**
 * Data for one-shot learning as plain Java arrays: no TensorFlow, only the JDK, Guava and Apache
 * Commons CSV.
 *
 * <ul>
 *   <li>Datasets: {@link io.siamese.data.LabeledDataset} (features as floats or, compactly, as one
 *       byte per value; labels, optional group labels and names) and {@link
 *       io.siamese.data.ExampleShape}; splits in {@link io.siamese.data.Splits} (by class or by
 *       group).
 *   <li>Images: {@link io.siamese.data.ImageReader} turns an image file, its bytes or a {@code
 *       BufferedImage} into the floats a model of a given shape expects (grayscale or RGB, crop,
 *       resize, normalisation; size caps and checks for truncated or corrupt files), the same way
 *       for training, embedding and an application's own code; its settings travel as one line
 *       ({@link io.siamese.data.ImageReader#describe()}). {@link io.siamese.data.Images} holds the
 *       single-channel building blocks.
 *   <li>Loaders: {@link io.siamese.data.ImageFolderLoader} (one folder per class, or a zip of
 *       them), {@link io.siamese.data.OmniglotLoader} (Omniglot-style folders or zips of PNGs),
 *       {@link io.siamese.data.IdxLoader} (MNIST / Fashion-MNIST), {@link
 *       io.siamese.data.CsvLoader} (RFC 4180 CSV of feature vectors).
 *   <li>Samplers return batches of indices, gathered into arrays by {@link
 *       io.siamese.data.LabeledDataset#gather}: {@link io.siamese.data.BalancedPairSampler}, {@link
 *       io.siamese.data.HardNegativePairSampler}, {@link io.siamese.data.TripletSampler}, {@link
 *       io.siamese.data.PkBatchSampler} and {@link io.siamese.data.EpisodeSampler}. All are seeded
 *       with {@link java.util.SplittableRandom}: the same seed gives the same batches on every
 *       machine.
 *   <li>Augmentation: {@link io.siamese.data.Augmenter} (the affine distortions of Koch et al.
 *       2015) on gathered image batches.
 *   <li>Synthetic data: {@link io.siamese.data.SyntheticGlyphs}.
 * </ul>
 */
package io.siamese.data;
