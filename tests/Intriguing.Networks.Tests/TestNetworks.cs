namespace Intriguing.Networks.Tests;

// Stacks of odd sizes (1, 3, 17, 37, 100, 129) covering every layer type, bias on and off, weight decay on and off,
// and both losses. Each is checked against an independent double-precision reference.

[Network, Input(37), Dense(17, WeightDecay = 0.01), Sigmoid, Dense(3, WeightDecay = 0.001), Softmax]
public partial class SigmoidNet;

[Network, Input(129), Dense(100, Bias = false), Tanh, Dense(37, WeightDecay = 0.02), ReLU, Dense(3), Softmax]
public partial class TanhReluNet;

[Network, Input(1), Dense(1), Sigmoid, Dense(3, WeightDecay = 0.5), Softmax]
public partial class OneUnitNet;

[Network, Input(17), Dense(129, WeightDecay = 0.003), Tanh, Dense(37, Bias = false), Sigmoid]
public partial class RegressionNet;

[Network, Input(3), Dense(17), ReLU, Dense(1, Bias = false)]
public partial class LinearOutputNet;

[Network, Input(2, 3, 5), Dense(37, WeightDecay = 1e-4), ReLU, Dense(100), Sigmoid, Dense(17), Tanh, Dense(10), Softmax]
public partial class DeepImageNet;

[Network, Input(6), Dense(2), Softmax]
public partial class TwoClassLinear;

[Network, Input(20), Dense(10), Softmax]
public partial class TenClassLinear;

[Network, Input(3), Dense(2), Sigmoid, Dense(2), Softmax]
public partial class TinyHidden;

[Network, Input(7), Dropout(0.2), Dense(13, WeightDecay = 0.01), ReLU, Dropout(0.4), Dense(11), Tanh, Dropout(0.25), Dense(3), Softmax]
public partial class DropoutNet;

// Convolution, pooling and normalisation on tiny shapes (every stride divides, so no INT017 warning).

// Zero padding; stride 1 then stride 2; 2×7×5 → 3×7×5 → 2×3×2.
[Network, Input(2, 7, 5), Conv(3, 3, padding: 1, WeightDecay = 0.01), ReLU, Conv(2, 3, 2), Tanh, Dense(3), Softmax]
public partial class ConvZeroNet;

// Circular padding; stride 1 then stride 2 without bias; 1×6×6 → 2×6×6 → 3×3×3.
[Network, Input(1, 6, 6), Conv(2, 3, 1, 1, Mode = Padding.Circular), Sigmoid, Conv(3, 4, 2, 1, Mode = Padding.Circular, Bias = false, WeightDecay = 0.02), ReLU, Dense(4), Softmax]
public partial class ConvCircularNet;

// Non-overlapping pooling: 2×7×7 → 3×6×6 → 3×3×3.
[Network, Input(2, 7, 7), Conv(3, 2), ReLU, MaxPool(2), Dense(3), Softmax]
public partial class PoolNet;

// Overlapping pooling (AlexNet's 3/2) and a stride-1 overlap: 1×9×9 → 2×7×7 → 2×3×3 → 2×2×2.
[Network, Input(1, 9, 9), Conv(2, 3), Tanh, MaxPool(3, 2), MaxPool(2, 1), Dense(3), Softmax]
public partial class OverlapPoolNet;

// Average pooling, overlapping at stride 2 and at stride 1: 2×8×8 → 3×7×7 → 3×3×3 → 3×2×2.
[Network, Input(2, 8, 8), Conv(3, 2), Tanh, AvgPool(3, 2), AvgPool(2, 1), Dense(3), Softmax]
public partial class AvgPoolNet;

// Contrast normalisation and local response normalisation (α large enough to matter).
[Network, Input(3, 4, 4), Conv(4, 3, padding: 1), ContrastNorm(0.5, 0.75), Conv(5, 3), ReLU, LocalResponseNorm(3, 1.5, 0.1, 0.75), Dense(3), Softmax]
public partial class NormNet;

// Contrast normalisation of a flat activation: the norm over all its values.
[Network, Input(5), Dense(6), Tanh, ContrastNorm(1, 0.5), Dense(3), Softmax]
public partial class FlatNormNet;

// Contrast normalisation with γ > 1 (its bound ε^(−γ) holds for every γ ≥ 0).
[Network, Input(2, 3, 3), Conv(3, 2), ContrastNorm(0.5, 2.5), Dense(3), Softmax]
public partial class SteepNormNet;

// A convolutional regression network (squared error) with overlapping pooling at stride 1.
[Network, Input(1, 5, 5), Conv(2, 3, padding: 1), Sigmoid, MaxPool(2, 1), Dense(3)]
public partial class ConvRegressionNet;

// Windowed rows (the second convolution's identity rows in chunks of a few positions, zero outside their receptive
// field): 2×12×12 → 3×12×12 → 3×6×6 → 4×6×6, and with a stride-2 padded second convolution 3×7×7 → 4×4×4 after dropout (input 2×14×14).
[Network, Input(2, 12, 12), Conv(3, 3, padding: 1), ReLU, MaxPool(2), Conv(4, 3, padding: 1), ReLU, Dense(3), Softmax]
public partial class WindowNet;

[Network, Input(2, 14, 14), Conv(3, 3, padding: 1), Sigmoid, MaxPool(2), Dropout(0.3), Conv(4, 3, 2, 1), Tanh, Dense(3), Softmax]
public partial class WindowStrideNet;

// WindowNet with an identity average pooling (no windowed step) before its second convolution: the same function and
// parameters, the second convolution bounded by full rows (the reference for the windowed kernels).
[Network, Input(2, 12, 12), Conv(3, 3, padding: 1), ReLU, MaxPool(2), AvgPool(1), Conv(4, 3, padding: 1), ReLU, Dense(3), Softmax]
public partial class WindowNetFullRows;

// WindowNet behind an identity average pooling: no layer of it has a windowed step, so every row is a full row.
[Network, Input(2, 12, 12), AvgPool(1), Conv(3, 3, padding: 1), ReLU, MaxPool(2), Conv(4, 3, padding: 1), ReLU, Dense(3), Softmax]
public partial class WindowNetPlainRows;
