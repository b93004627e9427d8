using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// Inverted dropout for generated networks in training mode: unit u of batch sample s is kept when a
/// counter-based hash of (seed, step, layer, s, u) says so (probability 1 − p), and kept units are scaled by 1/(1 − p).
/// </summary>
/// <remarks>
/// No generator state is carried from call to call: the mask of a unit is a pure function of its coordinates, so
/// it is the same however a batch is split over threads, and the backward pass recomputes it instead of storing it.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Dropout
{
    private static readonly LayerLipschitz s_lipschitz = LayerLipschitz.Fixed(1, BoundText());

    /// <summary>Dropout's Lipschitz bound, 1 (the identity at inference); for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz() => s_lipschitz;

    /// <summary>Whether unit <paramref name="unit"/> of batch sample <paramref name="sample"/> is kept.</summary>
    /// <param name="p">Drop probability, 0 ≤ p &lt; 1.</param>
    /// <param name="seed">Mask seed (<see cref="NetworkWorkspace.TrainingSeed"/>).</param>
    /// <param name="step">Training step (<see cref="NetworkWorkspace.TrainingStep"/>).</param>
    /// <param name="layer">Index of the dropout layer in its network, so that two dropout layers draw independent masks.</param>
    /// <param name="sample">Index of the sample in its whole batch.</param>
    /// <param name="unit">Index of the unit within the sample.</param>
    public static bool Keep(float p, ulong seed, long step, int layer, int sample, int unit) =>
        Keep(Threshold(p), Key(seed, step, layer), sample, unit);

    /// <summary>y = x ⊙ m / (1 − p) for the first <paramref name="batch"/> samples of <paramref name="units"/> values.</summary>
    /// <param name="x">Input activations.</param>
    /// <param name="y">Output activations (may not overlap <paramref name="x"/> partially).</param>
    /// <param name="batch">Samples in this call.</param>
    /// <param name="units">Values per sample.</param>
    /// <param name="p">Drop probability, 0 ≤ p &lt; 1.</param>
    /// <param name="seed">Mask seed.</param>
    /// <param name="step">Training step.</param>
    /// <param name="sampleOffset">Batch index of the first sample of this call.</param>
    /// <param name="layer">Index of the layer in its network.</param>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, int units, float p, ulong seed, long step, int sampleOffset, int layer) =>
        Apply(x, y, batch, units, p, seed, step, sampleOffset, layer);

    /// <summary>dx = dy ⊙ m / (1 − p) with the mask <see cref="Forward"/> used for the same arguments.</summary>
    /// <param name="dy">Gradient with respect to the output.</param>
    /// <param name="dx">Receives the gradient with respect to the input.</param>
    /// <param name="batch">Samples in this call.</param>
    /// <param name="units">Values per sample.</param>
    /// <param name="p">Drop probability.</param>
    /// <param name="seed">Mask seed.</param>
    /// <param name="step">Training step.</param>
    /// <param name="sampleOffset">Batch index of the first sample of this call.</param>
    /// <param name="layer">Index of the layer in its network.</param>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, int batch, int units, float p, ulong seed, long step, int sampleOffset, int layer) =>
        Apply(dy, dx, batch, units, p, seed, step, sampleOffset, layer);

    private static void Apply(ReadOnlySpan<float> x, Span<float> y, int batch, int units, float p, ulong seed, long step, int sampleOffset, int layer)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        NetworkGuard.Length(x, batch * units, nameof(x));
        NetworkGuard.Length(y, batch * units, nameof(y));
        uint threshold = Threshold(p);
        ulong key = Key(seed, step, layer);
        float scale = 1f / (1f - p);
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * units, units);
            Span<float> ys = y.Slice(s * units, units);
            ulong sampleKey = Mix(key ^ ((ulong)(uint)(sampleOffset + s) * 0x9E3779B97F4A7C15UL));
            for (int u = 0; u < units; u++)
            {
                ys[u] = KeepUnit(threshold, sampleKey, u) ? xs[u] * scale : 0f;
            }
        }
    }

    /// <summary>A unit is dropped when the top 24 bits of its hash, as a number in [0, 2²⁴), fall below p·2²⁴.</summary>
    private static uint Threshold(float p) => (uint)Math.Round(p * (double)(1 << 24));

    private static ulong Key(ulong seed, long step, int layer) =>
        Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) ^ ((ulong)step * 0xD1B54A32D192ED03UL) ^ ((ulong)(uint)layer * 0xA0761D6478BD642FUL));

    private static bool Keep(uint threshold, ulong key, int sample, int unit) =>
        KeepUnit(threshold, Mix(key ^ ((ulong)(uint)sample * 0x9E3779B97F4A7C15UL)), unit);

    private static bool KeepUnit(uint threshold, ulong sampleKey, int unit) =>
        (uint)(Mix(sampleKey + (ulong)(uint)unit * 0xBF58476D1CE4E5B9UL) >> 40) >= threshold;

    /// <summary>The SplitMix64 finaliser: a bijection of 64-bit words with full avalanche.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
