/**
 * The two views of every training image (docs/reference.md §6): crop, colour jitter, grayscale, blur,
 * solarisation, flip and normalisation, seeded per (run seed, purpose, task, epoch, image) so that a run is
 * reproducible; and the evaluation transform.
 */
package org.pnrspark.augment;
