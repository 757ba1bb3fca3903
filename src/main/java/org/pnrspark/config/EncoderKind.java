package org.pnrspark.config;

/** The encoder architectures ({@code model.encoder}); their networks are built by {@code model.Encoders}. */
public enum EncoderKind implements Named {
    /** Four 3x3 conv-BN-ReLU blocks, 32/64/128/256 channels, strides 1/2/2/2; 256 features. */
    SMALL_CNN,
    /** ResNet-18 with the reference's CIFAR stem (3x3, stride 1, padding 2, no max-pool); 512 features. */
    RESNET18_CIFAR,
    /** torchvision's ResNet-18 (7x7 stride-2 stem, max-pool); 512 features. */
    RESNET18_IMAGENET;
}
