namespace Intriguing.Training;

/// <summary>The activation a dense layer's batch kernels apply on the fly (<see cref="SgdKernels.DenseBatchForward"/>, <see cref="SgdKernels.DenseBatchInputGradient"/>).</summary>
internal enum FusedActivation
{
    /// <summary>None: the layer's output is used as it is.</summary>
    None,

    /// <summary>The logistic sigmoid, <see cref="Intriguing.Layers.Activation.Sigmoid"/>.</summary>
    Sigmoid,

    /// <summary>tanh, <see cref="Intriguing.Layers.Activation.Tanh"/>.</summary>
    Tanh,

    /// <summary>max(0, x), <see cref="Intriguing.Layers.Activation.ReLU"/>.</summary>
    ReLU,
}
