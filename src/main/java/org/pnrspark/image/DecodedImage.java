package org.pnrspark.image;

/**
 * One decoded image: channel-major values 0..255 (RGB for image files; as stored for CIFAR-100 and Fashion-MNIST).
 */
public record DecodedImage(float[] pixels, int channels, int height, int width) {
    public DecodedImage {
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException(pixels.length + " values for a " + channels + "x" + height + "x" + width
                    + " image");
        }
    }
}
