package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes an encoded image (JPEG, PNG, BMP; through ImageIO, with the TwelveMonkeys JPEG plug-in for CMYK/YCCK
 * and the JPEGs the JDK's decoder rejects) to 8-bit RGB, channel-major, as PIL's {@code convert("RGB")} would:
 * grayscale is replicated to three channels (not gamma-converted, which {@code getRGB} would do), 16-bit samples
 * keep their high byte, alpha is dropped, palettes are expanded.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** @param file the name used in error messages */
    public static DecodedImage decode(String file, byte[] bytes) {
        BufferedImage image;
        // an in-memory stream: ImageIO.createImageInputStream would cache the bytes in a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(file, "not a JPEG, PNG or BMP image (" + bytes.length + " bytes"
                        + (bytes.length == 0 ? ", empty file" : "") + ")");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                TruncationWarning warning = new TruncationWarning();
                reader.addIIOReadWarningListener(warning);
                image = reader.read(0);
                // the JDK decodes a truncated JPEG with a warning and grey rows; PIL refuses it, and so do we
                if (warning.message != null) throw new BadImageException(file, "corrupt image: " + warning.message);
            } finally {
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(file, "corrupt or unsupported image (" + bytes.length + " bytes): "
                    + e.getMessage(), e);
        }
        if (image == null) throw new BadImageException(file, "the decoder returned no image");
        return toRgb(image);
    }

    private static final class TruncationWarning implements IIOReadWarningListener {
        String message;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String w = warning.toLowerCase(java.util.Locale.ROOT);
            if (message == null && (w.contains("premature end") || w.contains("truncat"))) message = warning;
        }
    }

    static DecodedImage toRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        float[] px = new float[3 * plane];
        Raster raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte buffer && buffer.getNumBanks() == 1
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            byte[] bgr = buffer.getData();
            for (int p = 0; p < plane; p++) {
                px[p] = bgr[3 * p + 2] & 0xff;
                px[plane + p] = bgr[3 * p + 1] & 0xff;
                px[2 * plane + p] = bgr[3 * p] & 0xff;
            }
        } else if (raster.getNumBands() <= 2 && !(image.getColorModel() instanceof IndexColorModel)) {
            // grayscale (with or without alpha), any bit depth: the gray value, scaled to 8 bits, in every channel
            int bits = image.getColorModel().getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits > 8 ? row[x] >>> (bits - 8) : (bits < 8 ? row[x] * 255 / ((1 << bits) - 1) : row[x]);
                    int p = y * w + x;
                    px[p] = v;
                    px[plane + p] = v;
                    px[2 * plane + p] = v;
                }
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0; p < plane; p++) {
                int v = argb[p];
                px[p] = (v >> 16) & 0xff;
                px[plane + p] = (v >> 8) & 0xff;
                px[2 * plane + p] = v & 0xff;
            }
        }
        return new DecodedImage(px, 3, h, w);
    }
}
