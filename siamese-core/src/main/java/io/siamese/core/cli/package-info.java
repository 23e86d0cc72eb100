/**
 * Command-line entry points: {@link io.siamese.core.cli.EmbedCommand} embeds image files with an
 * exported encoder into a TSV file.
 */
package io.siamese.core.cli;
