using System.Globalization;
using System.Text;

namespace Intriguing;

/// <summary>One layer of a network as the generator analysed it at compile time.</summary>
/// <param name="Index">1-based position in the stack (activation index of its output).</param>
/// <param name="Name">Layer name used for parameter views, e.g. <c>Dense1</c>.</param>
/// <param name="Kind">Layer kind.</param>
/// <param name="InputLength">Values per sample entering the layer.</param>
/// <param name="OutputLength">Values per sample leaving the layer.</param>
/// <param name="OutputShape">Output shape as text, e.g. <c>100</c> or <c>16×12×12</c>.</param>
/// <param name="Parameters">Trainable parameters of the layer.</param>
/// <param name="MultiplyAdds">Multiply-adds per sample in the forward pass.</param>
/// <param name="WeightDecay">Weight decay λ (0 where none).</param>
/// <param name="WeightOffset">Offset of the weights in the parameter buffer (dense: OutputLength × InputLength, row-major; convolution: see <see cref="LayerGeometry"/>); −1 for layers without weights.</param>
/// <param name="BiasOffset">Offset of the bias (dense: OutputLength values; convolution: one per filter) in the parameter buffer; −1 for layers without a bias.</param>
/// <param name="Lipschitz">How an upper bound of the layer's Lipschitz constant is obtained (<see cref="LipschitzMethod"/> prints it).</param>
/// <param name="DropoutRate">Dropout layers: the drop probability p used in training; 0 for every other layer.</param>
/// <param name="Geometry">Conv, MaxPool and the normalisations: the 3-D shapes, window, stride and padding; null for other layers.</param>
/// <param name="Norm">ContrastNorm and LocalResponseNorm: their parameters; null for other layers.</param>
/// <param name="OutputBox">The range of the layer's output whatever its input; null when unbounded.</param>
public sealed record LayerInfo(
    int Index,
    string Name,
    LayerKind Kind,
    int InputLength,
    int OutputLength,
    string OutputShape,
    int Parameters,
    long MultiplyAdds,
    double WeightDecay,
    int WeightOffset,
    int BiasOffset,
    Spectral.LayerLipschitz Lipschitz,
    double DropoutRate = 0,
    LayerGeometry? Geometry = null,
    NormParameters? Norm = null,
    ActivationBox? OutputBox = null)
{
    /// <summary>How an upper bound of the layer's Lipschitz constant is obtained, as the summary prints it.</summary>
    public string LipschitzMethod => Lipschitz.Method;
}

/// <summary>
/// The geometry of a convolution, pooling or normalisation layer. Activations are stored per sample channel-major
/// (CHW, row-major). A convolution's weights are <c>[OutputChannels][InputChannels][Kernel][Kernel]</c> row-major at
/// <see cref="LayerInfo.WeightOffset"/>, its bias <c>[OutputChannels]</c> at <see cref="LayerInfo.BiasOffset"/>:
/// <c>y[d, i, j] = b[d] + Σ_c Σ_u Σ_v W[d, c, u, v] · x[c, i·Stride − Padding + u, j·Stride − Padding + v]</c>, with
/// zeros outside the input or indices taken modulo the input size (<see cref="PaddingMode.Circular"/>).
/// </summary>
/// <param name="InputChannels">Channels C of the input (a flat input of n values is n × 1 × 1).</param>
/// <param name="InputHeight">Height H of the input.</param>
/// <param name="InputWidth">Width W of the input.</param>
/// <param name="OutputChannels">Channels of the output (filters D for a convolution, C otherwise).</param>
/// <param name="OutputHeight">Height of the output, (H + 2·Padding − Kernel) / Stride + 1 for convolution and pooling.</param>
/// <param name="OutputWidth">Width of the output.</param>
/// <param name="Kernel">Conv: kernel side; MaxPool: window side; LocalResponseNorm: channels in the window; ContrastNorm: 1.</param>
/// <param name="Stride">Conv and MaxPool: stride; otherwise 1.</param>
/// <param name="Padding">Conv: rows and columns added on each side; otherwise 0.</param>
/// <param name="PaddingMode">Conv: zero or circular padding.</param>
public sealed record LayerGeometry(
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int OutputChannels,
    int OutputHeight,
    int OutputWidth,
    int Kernel,
    int Stride,
    int Padding,
    PaddingMode PaddingMode)
{
    /// <summary>Values of one input sample, C·H·W.</summary>
    public int InputLength => InputChannels * InputHeight * InputWidth;

    /// <summary>Values of one output sample.</summary>
    public int OutputLength => OutputChannels * OutputHeight * OutputWidth;
}

/// <summary>Parameters of a normalisation layer (unused ones are 0).</summary>
/// <param name="Epsilon">ContrastNorm: ε in x / (ε + ‖x‖²)^γ.</param>
/// <param name="Gamma">ContrastNorm: γ.</param>
/// <param name="Size">LocalResponseNorm: channels n in the window.</param>
/// <param name="K">LocalResponseNorm: k in x / (k + α·Σ x²)^β.</param>
/// <param name="Alpha">LocalResponseNorm: α (multiplies the window sum itself, as in AlexNet).</param>
/// <param name="Beta">LocalResponseNorm: β.</param>
public sealed record NormParameters(double Epsilon = 0, double Gamma = 0, int Size = 0, double K = 0, double Alpha = 0, double Beta = 0);

/// <summary>The compile-time analysis of a network, printed as a table by <see cref="ToString"/>.</summary>
public sealed class NetworkSummary
{
    /// <summary>Creates a summary.</summary>
    public NetworkSummary(string name, string inputShape, IReadOnlyList<LayerInfo> layers)
    {
        Name = name;
        InputShape = inputShape;
        Layers = layers;
    }

    /// <summary>The network's display name.</summary>
    public string Name { get; }

    /// <summary>The input shape as text.</summary>
    public string InputShape { get; }

    /// <summary>The layers in stack order.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>Total trainable parameters.</summary>
    public long Parameters => Layers.Sum(l => (long)l.Parameters);

    /// <summary>Total multiply-adds per sample in the forward pass.</summary>
    public long MultiplyAdds => Layers.Sum(l => l.MultiplyAdds);

    /// <summary>The summary as an aligned plain-text table.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<string[]> { new[] { "#", "layer", "output", "params", "mult-adds", "decay", "Lipschitz bound" } };
        rows.Add(new[] { "0", "Input", InputShape, "", "", "", "" });
        foreach (var l in Layers)
        {
            rows.Add(new[]
            {
                l.Index.ToString(ci), l.Name, l.OutputShape,
                l.Parameters == 0 ? "" : l.Parameters.ToString("N0", ci),
                l.MultiplyAdds == 0 ? "" : l.MultiplyAdds.ToString("N0", ci),
                l.WeightDecay == 0 ? "" : l.WeightDecay.ToString("G4", ci),
                l.LipschitzMethod,
            });
        }

        int[] widths = new int[rows[0].Length];
        foreach (var r in rows)
        {
            for (int i = 0; i < r.Length; i++) widths[i] = Math.Max(widths[i], r[i].Length);
        }

        var sb = new StringBuilder();
        sb.Append(Name).Append(": ").Append(Parameters.ToString("N0", ci)).Append(" parameters, ")
          .Append(MultiplyAdds.ToString("N0", ci)).Append(" multiply-adds per sample").Append('\n');
        for (int ri = 0; ri < rows.Count; ri++)
        {
            var r = rows[ri];
            for (int i = 0; i < r.Length; i++)
            {
                bool rightAlign = i is 0 or 3 or 4 or 5;
                sb.Append(rightAlign ? r[i].PadLeft(widths[i]) : r[i].PadRight(widths[i]));
                if (i < r.Length - 1) sb.Append("  ");
            }

            while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
            sb.Append('\n');
            if (ri == 0) sb.Append(new string('-', widths.Sum() + 2 * (widths.Length - 1))).Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }
}
