package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;
import org.pnrspark.image.Resampler;
import org.pnrspark.util.Storage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one shard of a packed dataset ({@link PackedShards}) and its part of the index: each image is decoded (so
 * that a bad one is caught here, once, rather than in every epoch), shrunk to a short side of {@code resize} if it
 * is larger (bicubic, antialiased; re-encoded as JPEG) or else kept byte for byte.
 */
public final class ShardWriter {
    /**
     * How many images a shard holds and which it left out (a plain class: Spark returns it through Kryo, which
     * cannot build records).
     */
    public static final class Result implements java.io.Serializable {
        public int images;
        public int skipped;
        public ArrayList<String> notes = new ArrayList<>();

        public Result() {}
    }

    /** The shard's part of the index, written next to it and joined into {@code <split>.index} by the driver. */
    public static String fragment(String shard) {
        return shard.substring(0, shard.length() - ".pnr".length()) + ".index";
    }

    private ShardWriter() {}

    /**
     * @param shard     the shard's path relative to the packed root (e.g. shards/train-00003.pnr)
     * @param positions the images of {@code source} to pack, in order
     * @param resize    short side to shrink larger images to (0 = keep every image as it is)
     */
    public static Result write(Storage storage, String packedRoot, String shard, FileImageSource source,
            int[] positions, int resize, float quality, boolean skipBad) throws IOException {
        StringBuilder index = new StringBuilder();
        List<String> notes = new ArrayList<>();
        int[] counts = new int[2];
        storage.writeAtomically(Storage.child(packedRoot, shard), raw -> {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 20));
            out.write(PackedShards.SHARD_MAGIC);
            long offset = PackedShards.SHARD_MAGIC.length;
            for (int i : positions) {
                byte[] bytes;
                try {
                    bytes = packed(source, i, resize, quality);
                } catch (BadImageException e) {
                    if (!skipBad) throw e;
                    counts[1]++;
                    if (notes.size() < Listing.MAX_NOTES) notes.add(e.getMessage());
                    continue;
                }
                out.writeInt(bytes.length);
                offset += 4;
                out.write(bytes);
                index.append(shard).append('\t').append(offset).append('\t').append(bytes.length).append('\t')
                        .append(source.label(i)).append('\t').append(source.index().paths()[i]).append('\n');
                offset += bytes.length;
                counts[0]++;
            }
            out.flush();
        });
        storage.writeString(Storage.child(packedRoot, fragment(shard)), index.toString());
        Result result = new Result();
        result.images = counts[0];
        result.skipped = counts[1];
        result.notes.addAll(notes);
        return result;
    }

    private static byte[] packed(FileImageSource source, int i, int resize, float quality) {
        byte[] bytes = source.bytes(i);
        String name = source.index().describe(i);
        DecodedImage image = ImageDecoder.decode(name, bytes);
        int shortSide = Math.min(image.height(), image.width());
        if (resize <= 0 || shortSide <= resize) return bytes;
        int h = image.height(), w = image.width();
        int oh = h <= w ? resize : (int) ((long) resize * h / w);
        int ow = h <= w ? (int) ((long) resize * w / h) : resize;
        float[] small = new float[3 * oh * ow];
        Resampler.resize(image.pixels(), 3, h, w, 0, 0, h, w, small, oh, ow);
        return jpeg(small, oh, ow, quality);
    }

    static byte[] jpeg(float[] chw, int h, int w, float quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int plane = h * w;
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = ((int) chw[p] << 16) | ((int) chw[plane + p] << 8) | (int) chw[2 * plane + p];
        }
        img.setRGB(0, 0, w, h, rgb, 0, w);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The PACKED marker's text. */
    public static String manifest(String dataset, String source, int resize, List<String> splits, long images) {
        return PackedShards.MAGIC_LINE + "\n" + "dataset " + dataset + "\n" + "source " + source + "\n"
                + "resize " + resize + "\n" + "splits " + String.join(",", splits) + "\n" + "images " + images + "\n";
    }
}
