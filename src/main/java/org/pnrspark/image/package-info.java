/**
 * Decoded images and their resampling: the representation shared by the readers of {@code data} and the
 * transforms of {@code augment} (PIL's antialiased bicubic and bilinear filters).
 */
package org.pnrspark.image;
