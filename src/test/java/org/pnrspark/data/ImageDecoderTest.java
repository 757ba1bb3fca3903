package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;
import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.TinyImages;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real encoded files in every variant the datasets hold, decoded to 8-bit RGB as PIL's convert("RGB"). */
class ImageDecoderTest {
    @Test
    void pngIsLossless() {
        BufferedImage img = TinyImages.picture(3, 17, 23, 1);
        DecodedImage d = ImageDecoder.decode("a.png", TinyImages.png(img));
        assertEquals(3, d.channels());
        assertEquals(17, d.height());
        assertEquals(23, d.width());
        int plane = 17 * 23;
        for (int y = 0; y < 17; y++) {
            for (int x = 0; x < 23; x++) {
                int rgb = img.getRGB(x, y);
                int p = y * 23 + x;
                assertEquals((rgb >> 16) & 0xff, d.pixels()[p], 0);
                assertEquals((rgb >> 8) & 0xff, d.pixels()[plane + p], 0);
                assertEquals(rgb & 0xff, d.pixels()[2 * plane + p], 0);
            }
        }
    }

    @Test
    void baselineAndProgressiveJpegDecodeCloseToTheOriginal() {
        BufferedImage img = TinyImages.picture(5, 40, 56, 2);
        for (boolean progressive : new boolean[] {false, true}) {
            DecodedImage d = ImageDecoder.decode("a.jpg", TinyImages.jpeg(img, progressive));
            assertEquals(40, d.height());
            assertEquals(56, d.width());
            double err = 0;
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 56; x++) err += Math.abs(((img.getRGB(x, y) >> 16) & 0xff) - d.pixels()[y * 56 + x]);
            }
            assertTrue(err / (40 * 56) < 12, "mean abs error of the red channel " + err / (40 * 56));
        }
    }

    @Test
    void grayscaleIsReplicatedNotGammaConverted() {
        for (boolean png : new boolean[] {true, false}) {
            BufferedImage ramp = TinyImages.grayRamp(4, 256, false);
            DecodedImage d = ImageDecoder.decode("g", png ? TinyImages.png(ramp) : TinyImages.jpeg(ramp, false));
            int plane = 4 * 256;
            for (int x = 0; x < 256; x += 15) {
                float v = d.pixels()[x];
                assertEquals(v, d.pixels()[plane + x], 0);
                assertEquals(v, d.pixels()[2 * plane + x], 0);
                assertEquals(x, v, png ? 0 : 4, "gray value at x = " + x);
            }
        }
    }

    @Test
    void sixteenBitGrayKeepsItsHighByte() {
        DecodedImage d = ImageDecoder.decode("g16.png", TinyImages.png(TinyImages.grayRamp(2, 256, true)));
        for (int x = 0; x < 256; x += 17) assertEquals(x, d.pixels()[x], 1, "x = " + x);
    }

    @Test
    void cmykJpegDecodesToRgb() {
        // the JDK's own decoder rejects 4-channel JPEGs; the TwelveMonkeys plug-in converts them
        DecodedImage d = ImageDecoder.decode("cmyk.jpg", TinyImages.cmykJpeg(16, 32));
        assertEquals(3, d.channels());
        assertEquals(16, d.height());
        assertEquals(32, d.width());
        float[] px = d.pixels();
        int plane = 16 * 32;
        // much cyan, little magenta: red lowest, green above it
        assertTrue(px[0] < px[plane], Arrays.toString(new float[] {px[0], px[plane], px[2 * plane]}));
    }

    @Test
    void corruptTruncatedAndEmptyFilesNameTheFile() {
        byte[] good = TinyImages.jpeg(TinyImages.picture(1, 64, 64, 3), false);
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        byte[] garbage = new byte[300];
        new java.util.Random(4).nextBytes(garbage);
        byte[] brokenPng = TinyImages.png(TinyImages.picture(1, 32, 32, 3));
        Arrays.fill(brokenPng, 60, brokenPng.length - 20, (byte) 7);
        for (byte[] bytes : new byte[][] {truncated, garbage, new byte[0], brokenPng}) {
            BadImageException e = assertThrows(BadImageException.class,
                    () -> ImageDecoder.decode("hdfs://nn/x/bad.jpg", bytes));
            assertTrue(e.getMessage().startsWith("hdfs://nn/x/bad.jpg: "), e.getMessage());
            assertEquals("hdfs://nn/x/bad.jpg", e.file());
        }
    }
}
