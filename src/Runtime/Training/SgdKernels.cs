using System.Numerics;
using System.Runtime.InteropServices;

namespace Intriguing.Training;

/// <summary>
/// The fused single-sample SGD step of a dense layer, called by the generated <see cref="INetwork.SgdStep"/>: the
/// gradient of each parameter is formed and applied at once, so no gradient buffer is written or read.
/// </summary>
/// <remarks>
/// Every parameter gets exactly the arithmetic of <see cref="INetwork.LossAndGradient(NetworkWorkspace, ReadOnlySpan{float}, ReadOnlySpan{int}, int, Span{float}, Span{float})"/>
/// at batch 1 followed by the <see cref="Trainer"/>'s update, so both give bit-identical parameters and velocities:
/// g = (δ·x + 0) + λ·w (the product as the k = 1 matrix kernel forms it, then the decay), g_b = 0 + δ for the bias, and
/// v ← μ·v − η·g, θ ← θ + v (Nesterov: θ ← θ + μ·v − η·g), each operation rounded separately (never fused).
/// </remarks>
public static class SgdKernels
{
    /// <summary>
    /// Updates W (out × in, row-major) and b with their velocities for one sample: ∂E/∂W = δ ⊗ x + λ·W, ∂E/∂b = δ.
    /// </summary>
    /// <param name="weights">W, <paramref name="delta"/>.Length × <paramref name="input"/>.Length.</param>
    /// <param name="bias">b (length out), or empty for a layer without bias.</param>
    /// <param name="weightVelocity">Velocity of W, same shape.</param>
    /// <param name="biasVelocity">Velocity of b, or empty.</param>
    /// <param name="delta">∂E/∂y of the layer's output y (length out).</param>
    /// <param name="input">The layer's input x (length in).</param>
    /// <param name="lambda">Weight decay λ of W (0 for none).</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    public static void DenseStep(Span<float> weights, Span<float> bias, Span<float> weightVelocity, Span<float> biasVelocity,
        ReadOnlySpan<float> delta, ReadOnlySpan<float> input, float lambda, float momentum, float rate, bool nesterov)
    {
        int rows = delta.Length, columns = input.Length;
        if (weights.Length < rows * columns || weightVelocity.Length < rows * columns) throw new ArgumentException("The weights or their velocity are shorter than out × in.");
        if (bias.Length != biasVelocity.Length || (bias.Length != 0 && bias.Length < rows)) throw new ArgumentException("The bias and its velocity differ in length or are shorter than out.");
        for (int i = 0; i < rows; i++)
        {
            Row(weights.Slice(i * columns, columns), weightVelocity.Slice(i * columns, columns), delta[i], input, lambda, momentum, rate, nesterov);
        }

        if (bias.Length != 0)
        {
            for (int i = 0; i < rows; i++)
            {
                float step = rate * (0f + delta[i]);
                float v = (momentum * biasVelocity[i]) - step;
                biasVelocity[i] = v;
                bias[i] += nesterov ? (momentum * v) - step : v;
            }
        }
    }

    /// <summary>One row: g = (d·x + 0) + λ·w; v ← μ·v − η·g; w ← w + v (or + μ·v − η·g).</summary>
    private static void Row(Span<float> w, Span<float> velocity, float d, ReadOnlySpan<float> x, float lambda, float momentum, float rate, bool nesterov)
    {
        int n = x.Length, j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Span<Vector<float>> wv = MemoryMarshal.Cast<float, Vector<float>>(w);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(velocity);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Vector<float> dv = new(d), lam = new(lambda), mu = new(momentum), eta = new(rate);
            for (int k = 0; k < xv.Length; k++)
            {
                Vector<float> wk = wv[k];
                Vector<float> g = (dv * xv[k]) + Vector<float>.Zero;
                if (lambda != 0f) g = (wk * lam) + g;
                Vector<float> step = eta * g;
                Vector<float> nv = (mu * vv[k]) - step;
                vv[k] = nv;
                wv[k] = wk + (nesterov ? (mu * nv) - step : nv);
            }

            j = xv.Length * Vector<float>.Count;
        }

        for (; j < n; j++)
        {
            float g = (d * x[j]) + 0f;
            if (lambda != 0f) g = (w[j] * lambda) + g;
            float step = rate * g;
            float v = (momentum * velocity[j]) - step;
            velocity[j] = v;
            w[j] += nesterov ? (momentum * v) - step : v;
        }
    }
}
