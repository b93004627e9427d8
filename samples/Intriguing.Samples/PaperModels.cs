namespace Intriguing.Samples;

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
