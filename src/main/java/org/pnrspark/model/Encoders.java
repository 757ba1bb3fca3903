package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
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
    public static final String SMALL_CNN = "small-cnn";
    public static final String RESNET18_CIFAR = "resnet18-cifar";
    public static final String RESNET18_IMAGENET = "resnet18-imagenet";

    private static final int[] SMALL_CNN_CHANNELS = {32, 64, 128, 256};
    private static final int[] SMALL_CNN_STRIDES = {1, 2, 2, 2};
    private static final int[] RESNET_WIDTHS = {64, 128, 256, 512};

    private Encoders() {}

    public static int featureDim(String encoder) {
        return switch (encoder) {
            case SMALL_CNN -> SMALL_CNN_CHANNELS[SMALL_CNN_CHANNELS.length - 1];
            case RESNET18_CIFAR, RESNET18_IMAGENET -> 512;
            default -> throw new IllegalArgumentException("unknown encoder " + encoder);
        };
    }

    /** Adds the configured encoder on top of {@code input} and returns the name of its feature vertex. */
    public static String add(GraphBuilder g, String input, JobConfig config) {
        return add(g, input, config.model().encoder(), config.data().dataset().channels(),
                Regularizers.of(config.optim()));
    }

    /** Adds the named encoder for images of {@code channels} channels; returns the name of its feature vertex. */
    public static String add(GraphBuilder g, String input, String encoder, int channels, Regularizers reg) {
        return switch (encoder) {
            case SMALL_CNN -> smallCnn(g, input, channels, reg);
            case RESNET18_CIFAR -> resnet18(g, input, channels, true, reg);
            case RESNET18_IMAGENET -> resnet18(g, input, channels, false, reg);
            default -> throw new IllegalArgumentException("unknown encoder " + encoder);
        };
    }

    static String smallCnn(GraphBuilder g, String input, int inChannels, Regularizers reg) {
        String prev = input;
        int in = inChannels;
        for (int i = 0; i < SMALL_CNN_CHANNELS.length; i++) {
            String conv = NetworkBlocks.ENCODER_PREFIX + "conv" + (i + 1);
            g.addLayer(conv, conv(3, SMALL_CNN_STRIDES[i], 1, in, SMALL_CNN_CHANNELS[i], reg), prev);
            prev = NetworkBlocks.batchNormRelu(g, NetworkBlocks.ENCODER_PREFIX + "bn" + (i + 1),
                    NetworkBlocks.ENCODER_PREFIX + "relu" + (i + 1), conv);
            in = SMALL_CNN_CHANNELS[i];
        }
        return pool(g, prev);
    }

    static String resnet18(GraphBuilder g, String input, int inChannels, boolean cifarStem, Regularizers reg) {
        String p = NetworkBlocks.ENCODER_PREFIX;
        String prev;
        if (cifarStem) {
            g.addLayer(p + "stem_conv", conv(3, 1, 2, inChannels, 64, reg), input);
            prev = NetworkBlocks.batchNormRelu(g, p + "stem_bn", p + "stem_relu", p + "stem_conv");
        } else {
            g.addLayer(p + "stem_conv", conv(7, 2, 3, inChannels, 64, reg), input);
            String relu = NetworkBlocks.batchNormRelu(g, p + "stem_bn", p + "stem_relu", p + "stem_conv");
            g.addLayer(p + "stem_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                    .padding(1, 1).build(), relu);
            prev = p + "stem_pool";
        }
        int in = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = RESNET_WIDTHS[stage];
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                prev = basicBlock(g, p + "l" + (stage + 1) + "_b" + block + "_", prev, in, width, stride, reg);
                in = width;
            }
        }
        return pool(g, prev);
    }

    /** torchvision's BasicBlock: conv-BN-ReLU-conv-BN, plus the input (1x1 conv-BN when the shape changes), ReLU. */
    private static String basicBlock(GraphBuilder g, String name, String input, int in, int out, int stride,
            Regularizers reg) {
        g.addLayer(name + "conv1", conv(3, stride, 1, in, out, reg), input);
        String relu1 = NetworkBlocks.batchNormRelu(g, name + "bn1", name + "relu1", name + "conv1");
        g.addLayer(name + "conv2", conv(3, 1, 1, out, out, reg), relu1);
        g.addLayer(name + "bn2", NetworkBlocks.batchNorm(), name + "conv2");
        String shortcut = input;
        if (stride != 1 || in != out) {
            g.addLayer(name + "down_conv", conv(1, stride, 0, in, out, reg), input);
            g.addLayer(name + "down_bn", NetworkBlocks.batchNorm(), name + "down_conv");
            shortcut = name + "down_bn";
        }
        g.addVertex(name + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "bn2", shortcut);
        g.addLayer(name + "relu", NetworkBlocks.relu(), name + "add");
        return name + "relu";
    }

    private static ConvolutionLayer conv(int kernel, int stride, int padding, int in, int out, Regularizers reg) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(padding, padding).nIn(in).nOut(out).hasBias(false).activation(Activation.IDENTITY)
                .weightInit(new KaimingNormalFanOut());
        b.regularization(reg.weights());
        return Conv2d.of(b);
    }

    private static String pool(GraphBuilder g, String input) {
        g.addLayer(NetworkBlocks.FEATURES, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), input);
        return NetworkBlocks.FEATURES;
    }
}
