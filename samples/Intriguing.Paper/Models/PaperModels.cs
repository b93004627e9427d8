namespace Intriguing.Paper;

// The MNIST models of Szegedy et al. (2014), Table 1 and Table 3. Pixels are scaled to [0, 1]; 784 inputs.
// Weight decay λ is per weight layer, as in the paper (penalty (λ/2)·‖W‖²).

/// <summary>FC10(1e-4): soft-max regression 784 → 10 with weight decay 1e-4 (Table 1).</summary>
[Network(Name = "FC10(1e-4)")]
[Input(784)]
[Dense(10, WeightDecay = 1e-4), Softmax]
public partial class Fc10Lambda1em4;

/// <summary>FC10(1e-2): soft-max regression 784 → 10 with weight decay 1e-2 (Table 1).</summary>
[Network(Name = "FC10(1e-2)")]
[Input(784)]
[Dense(10, WeightDecay = 1e-2), Softmax]
public partial class Fc10Lambda1em2;

/// <summary>FC10(1): soft-max regression 784 → 10 with weight decay 1 (Table 1).</summary>
[Network(Name = "FC10(1)")]
[Input(784)]
[Dense(10, WeightDecay = 1), Softmax]
public partial class Fc10Lambda1;

/// <summary>FC100-100-10: two sigmoid hidden layers of 100 units, weight decay 1e-5, 1e-5, 1e-6 (Table 1).</summary>
[Network(Name = "FC100-100-10")]
[Input(784)]
[Dense(100, WeightDecay = 1e-5), Sigmoid]
[Dense(100, WeightDecay = 1e-5), Sigmoid]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc100x100x10;

/// <summary>
/// FC100-100-10 with dropout (the paper's dropout baseline of Sec. 4.2, about 1.3%): FC100-100-10 with the same weight
/// decays and inverted dropout, drop probability 0.2, on the input and after each hidden sigmoid. The paper does not give
/// its dropout rates; these are ours (the input rate of Hinton et al. 2012, and the same for the small hidden layers).
/// </summary>
[Network(Name = "FC100-100-10 dropout")]
[Input(784)]
[Dropout(0.2)]
[Dense(100, WeightDecay = 1e-5), Sigmoid, Dropout(0.2)]
[Dense(100, WeightDecay = 1e-5), Sigmoid, Dropout(0.2)]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc100x100x10Dropout;

/// <summary>FC200-200-10: two sigmoid hidden layers of 200 units, weight decay 1e-5, 1e-5, 1e-6 (Table 1).</summary>
[Network(Name = "FC200-200-10")]
[Input(784)]
[Dense(200, WeightDecay = 1e-5), Sigmoid]
[Dense(200, WeightDecay = 1e-5), Sigmoid]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc200x200x10;

/// <summary>
/// FC200-200-10-ReLU: FC200-200-10 with rectified linear hidden units (not in the paper; the ReLU MLP of the
/// adversarial-training comparison on other architectures, issue 25). Weight decay 1e-5, 1e-5, 1e-6 as in Table 1.
/// </summary>
[Network(Name = "FC200-200-10-ReLU")]
[Input(784)]
[Dense(200, WeightDecay = 1e-5), ReLU]
[Dense(200, WeightDecay = 1e-5), ReLU]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc200x200x10Relu;

/// <summary>
/// FC200-200-10-ReLU with dropout, the dropout baseline of the comparison for this architecture: inverted dropout 0.2 on
/// the input and after each hidden ReLU, as in FC100-100-10 dropout.
/// </summary>
[Network(Name = "FC200-200-10-ReLU dropout")]
[Input(784)]
[Dropout(0.2)]
[Dense(200, WeightDecay = 1e-5), ReLU, Dropout(0.2)]
[Dense(200, WeightDecay = 1e-5), ReLU, Dropout(0.2)]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc200x200x10ReluDropout;

/// <summary>FC123-456-10: two sigmoid hidden layers of 123 and 456 units (Table 3, trained on P1).</summary>
[Network(Name = "FC123-456-10")]
[Input(784)]
[Dense(123, WeightDecay = 1e-5), Sigmoid]
[Dense(456, WeightDecay = 1e-5), Sigmoid]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Fc123x456x10;

/// <summary>AE400-10, encoder: 784 → 400 sigmoid codes of the sparse auto-encoder.</summary>
[Network(Name = "AE400 encoder")]
[Input(784)]
[Dense(400, WeightDecay = 1e-6), Sigmoid]
public partial class Ae400Encoder;

/// <summary>AE400-10, decoder: 400 codes → 784 sigmoid pixels, trained with the squared reconstruction error.</summary>
[Network(Name = "AE400 decoder")]
[Input(400)]
[Dense(784, WeightDecay = 1e-6), Sigmoid]
public partial class Ae400Decoder;

/// <summary>AE400-10, classifier on the codes: soft-max 400 → 10 (weight decay 1e-6).</summary>
[Network(Name = "AE400 classifier")]
[Input(400)]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Ae400Classifier;

/// <summary>
/// AE400-10 as one network for attacks and evaluation: the encoder followed by the classifier
/// (784 → 400 sigmoid → 10 soft-max). Its parameters are copied from the trained encoder and classifier.
/// </summary>
[Network(Name = "AE400-10")]
[Input(784)]
[Dense(400, WeightDecay = 1e-6), Sigmoid]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Ae400x10;

/// <summary>
/// MNIST-Conv: a small convolutional network for MNIST (the paper's Sec. 3 used "a convolutional network" without
/// giving its shape): 1×28×28 → Conv 16@5×5 → ReLU → MaxPool 2 → Conv 32@5×5 → ReLU → MaxPool 2 → Dense 100 →
/// ReLU → Dense 10 → soft-max. Weight decay 1e-5 on the hidden layers, 1e-6 on the output layer.
/// </summary>
[Network(Name = "MNIST-Conv")]
[Input(1, 28, 28)]
[Conv(16, 5, WeightDecay = 1e-5), ReLU, MaxPool(2)]
[Conv(32, 5, WeightDecay = 1e-5), ReLU, MaxPool(2)]
[Dense(100, WeightDecay = 1e-5), ReLU]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class MnistConv;

/// <summary>
/// MNIST-Conv with dropout, the dropout baseline of the adversarial-training comparison for this architecture: MNIST-Conv
/// with inverted dropout 0.2 after each convolution block (after its max-pooling) and after the hidden dense ReLU. No
/// dropout on the input: the convolutions see whole images, as usual for convolutional networks.
/// </summary>
[Network(Name = "MNIST-Conv dropout")]
[Input(1, 28, 28)]
[Conv(16, 5, WeightDecay = 1e-5), ReLU, MaxPool(2), Dropout(0.2)]
[Conv(32, 5, WeightDecay = 1e-5), ReLU, MaxPool(2), Dropout(0.2)]
[Dense(100, WeightDecay = 1e-5), ReLU, Dropout(0.2)]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class MnistConvDropout;

/// <summary>
/// MNIST-4C3F-small: a certified-training architecture after GloRo's MNIST model "4C3F" (Leino et al. 2021: Conv
/// 32@3×3, Conv 32@4×4/2, Conv 64@3×3, Conv 64@4×4/2, Dense 512, Dense 512, Dense 10) at half the filters and 100-unit
/// dense layers, so that the 2-core machine trains it in minutes: 1×28×28 → Conv 16@3×3 → 16×26×26 → Conv 16@4×4/2 →
/// 16×12×12 → Conv 32@3×3 → 32×10×10 → Conv 32@4×4/2 → 32×4×4 = 512 → Dense 100 → Dense 100 → Dense 10 → soft-max,
/// ReLU after every hidden layer, no pooling (strided convolutions instead, whose bound is the Fourier method's) and no
/// weight decay, as in GloRo.
/// </summary>
[Network(Name = "MNIST-4C3F-small")]
[Input(1, 28, 28)]
[Conv(16, 3), ReLU]
[Conv(16, 4, 2), ReLU]
[Conv(32, 3), ReLU]
[Conv(32, 4, 2), ReLU]
[Dense(100), ReLU]
[Dense(100), ReLU]
[Dense(10), Softmax]
public partial class Mnist4C3FSmall;

/// <summary>
/// The layer shapes of Krizhevsky et al.'s ImageNet network (the paper's Table 5), without the two-GPU grouping:
/// 3×224×224 → Conv 96@11×11/4 (padding 2) → 96×55×55 → LRN → MaxPool 3/2 → Conv 256@5×5 (padding 2) → LRN →
/// MaxPool 3/2 → Conv 384@3×3 → Conv 384@3×3 → Conv 256@3×3 → MaxPool 3/2 → 256×6×6 = 9216 → FC 4096 → FC 4096 →
/// FC 1000 → soft-max, with ReLUs after every convolution and hidden dense layer and dropout 0.5 before FC 2 and
/// FC 3. Its trained weights are not available offline; it is built for its shapes (seeded random weights).
/// Conv 1 reads ⌊(224 + 2·2 − 11) / 4⌋ + 1 = 55 positions per side, leaving the last padded row and column unread
/// (warning INT017, silenced for this project in its .csproj).
/// </summary>
[Network(Name = "AlexNet")]
[Input(3, 224, 224)]
[Conv(96, 11, 4, 2), ReLU, LocalResponseNorm(5, 2, 1e-4, 0.75), MaxPool(3, 2)]
[Conv(256, 5, padding: 2), ReLU, LocalResponseNorm(5, 2, 1e-4, 0.75), MaxPool(3, 2)]
[Conv(384, 3, padding: 1), ReLU]
[Conv(384, 3, padding: 1), ReLU]
[Conv(256, 3, padding: 1), ReLU, MaxPool(3, 2)]
[Dense(4096), ReLU, Dropout(0.5)]
[Dense(4096), ReLU, Dropout(0.5)]
[Dense(1000), Softmax]
public partial class AlexNet;
