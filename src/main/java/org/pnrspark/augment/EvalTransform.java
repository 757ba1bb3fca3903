package org.pnrspark.augment;

import org.pnrspark.image.Resampler;
import org.pnrspark.config.JobConfig;
import org.pnrspark.image.DecodedImage;

/**
 * The evaluation transform (feature extraction for the probe and k-NN), as the reference's validation pipeline:
 * for image files, torchvision's Resize(eval_resize) (short side, bilinear) then CenterCrop(image_size), then
 * normalisation; for Fashion-MNIST and CIFAR-100, normalisation only. Not thread-safe: one instance per thread.
 */
public final class EvalTransform {
    private final boolean resizeAndCrop;
    private final int resize;
    private final int crop;
    private final double[] mean;
    private final double[] std;
    private final float[] cropped;

    public EvalTransform(JobConfig.Data data, JobConfig.Augment augment) {
        this.resizeAndCrop = data.dataset().imageFiles();
        this.resize = data.images().evalResize();
        this.crop = data.images().imageSize();
        this.mean = augment.mean();
        this.std = augment.std();
        this.cropped = resizeAndCrop ? new float[data.channels() * crop * crop] : null;
    }

    /** Writes the normalised image (channels x height x width of the network's input) to dst[offset ..]. */
    public void apply(DecodedImage image, float[] dst, int offset) {
        if (!resizeAndCrop) {
            ViewAugmenter.normalize(image.pixels(), image.channels(), image.height() * image.width(), mean, std, dst,
                    offset);
            return;
        }
        resizeShortSideAndCenterCrop(image, resize, crop, cropped);
        ViewAugmenter.normalize(cropped, image.channels(), crop * crop, mean, std, dst, offset);
    }

    /** torchvision: Resize(size) then CenterCrop(crop), on a PIL image. */
    static void resizeShortSideAndCenterCrop(DecodedImage image, int size, int crop, float[] out) {
        int h = image.height(), w = image.width(), c = image.channels();
        int oh, ow;
        if (w < h) {
            ow = size;
            oh = (int) ((long) size * h / w);
        } else {
            oh = size;
            ow = (int) ((long) size * w / h);
        }
        float[] resized;
        if (oh == h && ow == w) {
            resized = image.pixels();
        } else {
            resized = new float[c * oh * ow];
            Resampler.resize(image.pixels(), c, h, w, 0, 0, h, w, resized, oh, ow, Resampler.Filter.BILINEAR);
        }
        // CenterCrop: Python's round(), half to even
        int top = (int) Math.rint((oh - crop) / 2.0);
        int left = (int) Math.rint((ow - crop) / 2.0);
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < crop; y++) {
                System.arraycopy(resized, (ch * oh + top + y) * ow + left, out, (ch * crop + y) * crop, crop);
            }
        }
    }
}
