using System.Globalization;

namespace Intriguing.Layers;

/// <summary>
/// The text that names each layer kind's Lipschitz-bound method, as printed in a network's summary.
/// </summary>
/// <remarks>
/// One source file compiled into both the runtime and the generator (linked by Intriguing.Generator.csproj), so the
/// summary the generator writes at compile time and the runtime's analysis describe a bound with the same code.
/// Keep it to C# that compiles for netstandard2.0.
/// </remarks>
internal static class LayerBoundText
{
    /// <summary>Dense layer: the spectral norm of W.</summary>
    public static string Dense() => "‖W‖₂, largest singular value";

    /// <summary>Logistic sigmoid.</summary>
    public static string Sigmoid() => "1/4 (max σ′)";

    /// <summary>Hyperbolic tangent.</summary>
    public static string Tanh() => "1 (max tanh′)";

    /// <summary>Rectified linear unit.</summary>
    public static string ReLU() => "1 (max slope)";

    /// <summary>Soft-max.</summary>
    public static string Softmax() => "1/2 (‖diag p − ppᵀ‖ ≤ 1/2)";

    /// <summary>Dropout (the identity at inference).</summary>
    public static string Dropout() => "1 (identity at inference)";

    /// <summary>Convolution: the Fourier method, exact with circular padding.</summary>
    public static string Conv(bool circular) => circular ? "Fourier (exact, circular)" : "Fourier (upper bound, zero padding)";

    /// <summary>Max-pooling whose most covered input lies in <paramref name="cover"/> windows.</summary>
    public static string MaxPool(int cover) => cover <= 1
        ? "1 (non-overlapping)"
        : "√" + cover.ToString(CultureInfo.InvariantCulture) + " (≤ " + cover.ToString(CultureInfo.InvariantCulture) + " windows per input)";

    /// <summary>Contrast normalisation x / (ε + ‖x‖²)^γ.</summary>
    public static string ContrastNorm(double epsilon, double gamma) => gamma <= 1
        ? "ε^(−γ) = " + System.Math.Pow(epsilon, -gamma).ToString("G4", CultureInfo.InvariantCulture)
        : "sup_t (ε+t)^(−γ)·|1 − 2γt/(ε+t)| (γ > 1)";

    /// <summary>Local response normalisation over <paramref name="size"/> channels.</summary>
    public static string LocalResponseNorm(int size, double k, double alpha, double beta)
        => "k^(−β) = " + System.Math.Pow(k, -beta).ToString("G4", CultureInfo.InvariantCulture) + " (Jacobian at 0)";
}
