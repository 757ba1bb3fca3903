package org.pnrspark.testutil;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Real image files for the tests, written with ImageIO: JPEG (baseline, progressive, grayscale, CMYK), PNG (8- and
 * 16-bit), in the layouts of ImageNet (class folders) and DomainNet (lists). Each class has its own colour and stripe
 * direction, so that a probe can tell them apart.
 */
public final class TinyImages {
    private TinyImages() {}

    /** An RGB image of class c: stripes whose direction and colour depend on the class, with noise. */
    public static BufferedImage picture(int c, int height, int width, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        int[] base = {(c * 97) % 256, (c * 57 + 80) % 256, (c * 151 + 160) % 256};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean stripe = ((c % 2 == 0 ? x : y) / 4 + c) % 2 == 0;
                int rr = clamp(base[0] + (stripe ? 60 : -60) + r.nextInt(21) - 10);
                int gg = clamp(base[1] + (stripe ? 60 : -60) + r.nextInt(21) - 10);
                int bb = clamp(base[2] + (stripe ? -60 : 60) + r.nextInt(21) - 10);
                img.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    public static byte[] jpeg(BufferedImage img, boolean progressive) {
        ImageWriter writer = jdkJpegWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        return write(writer, new IIOImage(img, null, null), param);
    }

    /** A 4-channel (CMYK) JPEG, which the JDK's decoder rejects. */
    public static byte[] cmykJpeg(int height, int width) {
        WritableRaster raster = Raster.createBandedRaster(java.awt.image.DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, 200);       // cyan
                raster.setSample(x, y, 1, 30);        // magenta
                raster.setSample(x, y, 2, x * 255 / width); // yellow
                raster.setSample(x, y, 3, 20);        // black
            }
        }
        ImageWriter writer = jdkJpegWriter();
        return write(writer, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    }

    private static ImageWriter jdkJpegWriter() {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter fallback = null;
        while (it.hasNext()) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.")) return w;
            fallback = w;
        }
        return fallback;
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) throw new IllegalStateException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A grayscale image with a horizontal ramp 0..255 (8-bit) or 0..65535 (16-bit). */
    public static BufferedImage grayRamp(int height, int width, boolean sixteenBit) {
        BufferedImage img = new BufferedImage(width, height,
                sixteenBit ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        int max = sixteenBit ? 65535 : 255;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) raster.setSample(x, y, 0, x * max / (width - 1));
        }
        return img;
    }

    /** The encoded image of a class, in a format chosen by the image number (mostly JPEG, some PNG). */
    public static byte[] encoded(int c, int k, long seed) {
        Random r = new Random(seed * 31 + k);
        BufferedImage img = picture(c, 40 + r.nextInt(30), 40 + r.nextInt(30), seed * 1000 + k);
        return switch (k % 5) {
            case 3 -> png(img);
            case 4 -> jpeg(img, true);
            default -> jpeg(img, false);
        };
    }

    public static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ImageNet's layout: root/{train,val}/class_XX/img_K.{JPEG,png}; returns the class folder names. */
    public static List<String> classFolders(Path root, int classes, int trainPerClass, int valPerClass, long seed) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            // names whose sorted order is not their creation order: labels follow the sorted names
            String name = String.format("n%02d_%s", (c * 7) % classes, "class");
            names.add(name);
        }
        for (int c = 0; c < classes; c++) {
            String name = names.get(c);
            for (int k = 0; k < trainPerClass; k++) {
                write(root.resolve("train").resolve(name).resolve(file(k)), encoded(c, k, seed));
            }
            for (int k = 0; k < valPerClass; k++) {
                write(root.resolve("val").resolve(name).resolve(file(k)), encoded(c, 1000 + k, seed));
            }
        }
        return names;
    }

    private static String file(int k) {
        return String.format("img_%03d.%s", k, k % 5 == 3 ? "png" : "JPEG");
    }

    /**
     * DomainNet's layout: root/&lt;domain&gt;/&lt;class&gt;/&lt;file&gt; and root/&lt;domain&gt;_{train,test}.txt lists.
     */
    public static void domainNet(Path root, List<String> domains, int classes, int trainPerClass, int testPerClass,
            long seed) {
        for (int d = 0; d < domains.size(); d++) {
            String domain = domains.get(d);
            StringBuilder train = new StringBuilder();
            StringBuilder test = new StringBuilder();
            for (int c = 0; c < classes; c++) {
                for (int k = 0; k < trainPerClass + testPerClass; k++) {
                    String rel = domain + "/class_" + c + "/" + domain + "_" + c + "_" + k + (k % 5 == 3 ? ".png" : ".jpg");
                    write(root.resolve(rel), encoded(c, k + 100 * d, seed));
                    (k < trainPerClass ? train : test).append(rel).append(' ').append(c).append('\n');
                }
            }
            write(root.resolve(domain + "_train.txt"), train.toString().getBytes());
            write(root.resolve(domain + "_test.txt"), test.toString().getBytes());
        }
    }
}
