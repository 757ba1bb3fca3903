package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
import org.pnrspark.config.EncoderKind;
import org.pnrspark.config.JobConfig;

/**
 * The encoders (docs/reference.md §2), all ending in a global average pool named {@link NetworkBlocks#FEATURES}:
 * <ul>
 * <li>{@code small-cnn}: four 3x3 conv-BN-ReLU blocks (32/64/128/256 channels, strides 1/2/2/2), 256 features;</li>
 * <li>{@code resnet18-cifar}: torchvision's ResNet-18 with the CIFAR stem of the reference (3x3 conv, stride 1,
 *     padding 2, no max-pool), 512 features;</li>
 * <li>{@code resnet18-imagenet}: the standard stem (7x7 stride-2 conv, 3x3 stride-2 max-pool), 512 features.</li>
 * </ul>
 */
public final class Encoders {
    private static final int[] SMALL_CNN_CHANNELS = {32, 64, 128, 256};
    private static final int[] SMALL_CNN_STRIDES = {1, 2, 2, 2};
    private static final int[] RESNET_WIDTHS = {64, 128, 256, 512};

    private Encoders() {}

    public static int featureDim(EncoderKind encoder) {
        return switch (encoder) {
            case SMALL_CNN -> SMALL_CNN_CHANNELS[SMALL_CNN_CHANNELS.length - 1];
            case RESNET18_CIFAR, RESNET18_IMAGENET -> RESNET_WIDTHS[RESNET_WIDTHS.length - 1];
        };
    }

    /** Adds the configured encoder on top of {@code input} and returns the name of its feature vertex. */
    public static String add(GraphBuilder g, String input, JobConfig config) {
        return add(g, input, config, null);
    }

    /** As {@link #add(GraphBuilder, String, JobConfig)}, the batch norms folded when {@code folding} is not null. */
    static String add(GraphBuilder g, String input, JobConfig config, BatchNormFolding folding) {
        return add(g, input, config.model().encoder(), config.data().dataset().channels(),
                Regularizers.of(config.optim()), folding);
    }

    /** Adds the named encoder for images of {@code channels} channels; returns the name of its feature vertex. */
    public static String add(GraphBuilder g, String input, EncoderKind encoder, int channels, Regularizers reg) {
        return add(g, input, encoder, channels, reg, null);
    }

    /**
     * As {@link #add(GraphBuilder, String, EncoderKind, int, Regularizers)}; with a {@code folding}, every batch norm is
     * left out and the convolution before it gets a bias instead, each pair recorded in the folding (inference only).
     */
    static String add(GraphBuilder g, String input, EncoderKind encoder, int channels, Regularizers reg,
            BatchNormFolding folding) {
        Blocks b = new Blocks(g, reg, folding);
        return switch (encoder) {
            case SMALL_CNN -> smallCnn(b, input, channels);
            case RESNET18_CIFAR -> resnet18(b, input, channels, true);
            case RESNET18_IMAGENET -> resnet18(b, input, channels, false);
        };
    }

    private static String smallCnn(Blocks b, String input, int inChannels) {
        String prev = input;
        int in = inChannels;
        for (int i = 0; i < SMALL_CNN_CHANNELS.length; i++) {
            String conv = NetworkBlocks.ENCODER_PREFIX + "conv" + (i + 1);
            b.conv(conv, 3, SMALL_CNN_STRIDES[i], 1, in, SMALL_CNN_CHANNELS[i], prev);
            prev = b.batchNormRelu(NetworkBlocks.ENCODER_PREFIX + "bn" + (i + 1),
                    NetworkBlocks.ENCODER_PREFIX + "relu" + (i + 1), conv);
            in = SMALL_CNN_CHANNELS[i];
        }
        return pool(b.g, prev);
    }

    private static String resnet18(Blocks b, String input, int inChannels, boolean cifarStem) {
        String p = NetworkBlocks.ENCODER_PREFIX;
        GraphBuilder g = b.g;
        String prev;
        if (cifarStem) {
            b.conv(p + "stem_conv", 3, 1, 2, inChannels, 64, input);
            prev = b.batchNormRelu(p + "stem_bn", p + "stem_relu", p + "stem_conv");
        } else {
            b.conv(p + "stem_conv", 7, 2, 3, inChannels, 64, input);
            String relu = b.batchNormRelu(p + "stem_bn", p + "stem_relu", p + "stem_conv");
            g.addLayer(p + "stem_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                    .padding(1, 1).build(), relu);
            prev = p + "stem_pool";
        }
        int in = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = RESNET_WIDTHS[stage];
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                prev = basicBlock(b, p + "l" + (stage + 1) + "_b" + block + "_", prev, in, width, stride);
                in = width;
            }
        }
        return pool(g, prev);
    }

    /** torchvision's BasicBlock: conv-BN-ReLU-conv-BN, plus the input (1x1 conv-BN when the shape changes), ReLU. */
    private static String basicBlock(Blocks b, String name, String input, int in, int out, int stride) {
        b.conv(name + "conv1", 3, stride, 1, in, out, input);
        String relu1 = b.batchNormRelu(name + "bn1", name + "relu1", name + "conv1");
        b.conv(name + "conv2", 3, 1, 1, out, out, relu1);
        String main = b.batchNorm(name + "bn2", name + "conv2");
        String shortcut = input;
        if (stride != 1 || in != out) {
            b.conv(name + "down_conv", 1, stride, 0, in, out, input);
            shortcut = b.batchNorm(name + "down_bn", name + "down_conv");
        }
        b.g.addVertex(name + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), main, shortcut);
        b.g.addLayer(name + "relu", NetworkBlocks.relu(), name + "add");
        return name + "relu";
    }

    /** The convolution and batch-norm blocks of an encoder, the batch norms as layers or folded. */
    private record Blocks(GraphBuilder g, Regularizers reg, BatchNormFolding folding) {
        void conv(String name, int kernel, int stride, int padding, int in, int out, String input) {
            ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                    .padding(padding, padding).nIn(in).nOut(out).hasBias(folding != null)
                    .activation(Activation.IDENTITY).weightInit(new KaimingNormalFanOut());
            b.regularization(reg.weights());
            g.addLayer(name, Conv2d.of(b), input);
        }

        /** Batch norm {@code name} of the convolution {@code conv}; returns the vertex that holds its output. */
        String batchNorm(String name, String conv) {
            if (folding != null) {
                folding.fold(conv, name);
                return conv;
            }
            g.addLayer(name, NetworkBlocks.batchNorm(), conv);
            return name;
        }

        String batchNormRelu(String bnName, String reluName, String conv) {
            g.addLayer(reluName, NetworkBlocks.relu(), batchNorm(bnName, conv));
            return reluName;
        }
    }

    private static String pool(GraphBuilder g, String input) {
        g.addLayer(NetworkBlocks.FEATURES, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), input);
        return NetworkBlocks.FEATURES;
    }
}
