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
