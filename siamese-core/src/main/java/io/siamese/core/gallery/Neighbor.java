package io.siamese.core.gallery;

/**
 * One enrolled embedding found by a search of a {@link Gallery}.
 *
 * @param label the label it was enrolled under
 * @param id its id in the gallery
 * @param distance its distance to the query, in the gallery's distance (smaller is nearer)
 * @param <L> the label type
 */
public record Neighbor<L>(L label, long id, double distance) {}
