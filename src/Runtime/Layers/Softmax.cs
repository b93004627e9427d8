using Intriguing.Linear;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.ComponentModel;
using Intriguing.Spectral;
using Intriguing.Generated;

namespace Intriguing.Layers;

/// <summary>
/// For generated code (and the runtime) only: not part of the supported API, hidden from IntelliSense.
/// The soft-max of each sample (last layer only): its kernels, the soft-max cross-entropy of a classifier, and its
/// Lipschitz bound,
/// 1/2: the Jacobian diag(p) − ppᵀ has row sums 2pᵢ(1 − pᵢ) ≤ 1/2, so its norm is at most 1/2 by Gershgorin.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Softmax
{
    private static readonly LayerLipschitz s_lipschitz = LayerLipschitz.Fixed(0.5, BoundText());

    /// <summary>The soft-max's Lipschitz bound; for generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LayerLipschitz Lipschitz() => s_lipschitz;

    /// <summary>Row-wise stable soft-max: p = e^(x − max x) / Σ e^(x − max x).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * cols, cols);
            Span<float> yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            float sum = TensorPrimitives.Sum(yr);
            TensorPrimitives.Multiply(yr, 1f / sum, yr);
        }
    }

    /// <summary>Soft-max backward for an arbitrary output gradient: dx = p ⊙ (dy − ⟨dy, p⟩), row by row.</summary>
    public static void Backward(ReadOnlySpan<float> p, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> pr = p.Slice(r * cols, cols);
            ReadOnlySpan<float> dyr = dy.Slice(r * cols, cols);
            Span<float> dxr = dx.Slice(r * cols, cols);
            Elementwise.Map(pr, dyr, dxr, new SoftmaxBackwardOperator(TensorPrimitives.Dot(pr, dyr)));
        }
    }

    /// <summary>(p, dy) → p · (dy − ⟨dy, p⟩) with the row's dot product given.</summary>
    private readonly struct SoftmaxBackwardOperator(float dot) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TOps>(TVec p, TVec dy)
            where TVec : struct
            where TOps : ISimdOps<TVec> => TOps.Multiply(p, TOps.Subtract(dy, TOps.Create(dot)));
    }

    /// <summary>
    /// The training cross-entropy of <c>LossAndGradient</c>: <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, float)"/>
    /// when <paramref name="workspace"/> has no <see cref="NetworkWorkspace.LogitMargin"/>; otherwise that of the logits
    /// z′ = z + c·(1 − onehot(label)), with <c>scale · (q − onehot(label))</c>, q = softmax(z′), in
    /// <paramref name="delta"/> and <c>scale · Σ_r (1 − q_r,label)</c> = ∂/∂c of the scaled loss in
    /// <see cref="NetworkWorkspace.MarginSensitivity"/>. Returns the sum of the row losses.
    /// </summary>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> delta, int rows, int cols, float scale, NetworkWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        float c = workspace.LogitMargin;
        if (workspace.PairMargins is { } pairs)
        {
            if (c != 0) throw new InvalidOperationException("A workspace has either a LogitMargin or PairMargins, not both.");
            workspace.MarginSensitivity = 0;
            return GloRoCrossEntropy(logits, labels, delta, rows, cols, scale, pairs, workspace.PairMarginSensitivity ?? throw new InvalidOperationException("PairMargins need a PairMarginSensitivity buffer."));
        }

        if (c == 0)
        {
            workspace.MarginSensitivity = 0;
            return CrossEntropy(logits, probabilities, labels, delta, rows, cols, scale);
        }

        double total = 0, sensitivity = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)cols)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {r} must be in 0..{cols - 1}.");
            }

            // Softmax is shift-invariant: z′ = z + c·(1 − e_label) has the soft-max and loss of z − c·e_label.
            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            Span<float> d = delta.Slice(r * cols, cols);
            double max = double.NegativeInfinity;
            for (int i = 0; i < cols; i++) max = Math.Max(max, i == label ? z[i] - (double)c : z[i]);
            double sum = 0;
            for (int i = 0; i < cols; i++) sum += Math.Exp((i == label ? z[i] - (double)c : z[i]) - max);
            total += Math.Log(sum) + max - (z[label] - (double)c);
            for (int i = 0; i < cols; i++) d[i] = (float)(scale * Math.Exp((i == label ? z[i] - (double)c : z[i]) - max) / sum);
            double qLabel = d[label] / (double)scale;
            d[label] -= scale;
            sensitivity += scale * (1 - qLabel);
        }

        workspace.MarginSensitivity = (float)sensitivity;
        return (float)total;
    }

    /// <summary>
    /// The GloRo cross-entropy (Leino et al. 2021) of each row: with j the predicted class (first largest logit) and
    /// i* = argmax_{i≠j} (z_i + B_ji), the logits are extended by z_⊥ = z_i* + B_ji* and the loss is
    /// log Σ e^(z, z_⊥) − z_label. Writes <c>scale·∂loss/∂z</c> into <paramref name="delta"/> (q − onehot, with q_⊥
    /// added to entry i*) and <c>scale·Σ_r q_⊥</c> per pair (j, i*) into <paramref name="sensitivity"/> (n × n,
    /// overwritten). Returns the sum of the row losses.
    /// </summary>
    private static float GloRoCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> delta, int rows, int cols, float scale, ReadOnlySpan<float> pairs, Span<float> sensitivity)
    {
        if (pairs.Length < cols * cols || sensitivity.Length < cols * cols) throw new ArgumentException($"PairMargins and PairMarginSensitivity need {cols}×{cols} values.");
        sensitivity.Slice(0, cols * cols).Clear();
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)cols) throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {r} must be in 0..{cols - 1}.");
            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            Span<float> d = delta.Slice(r * cols, cols);
            int j = 0;
            for (int i = 1; i < cols; i++) if (z[i] > z[j]) j = i;
            int top = -1;
            double bottom = double.NegativeInfinity;
            for (int i = 0; i < cols; i++)
            {
                if (i == j) continue;
                double v = (double)z[i] + pairs[j * cols + i];
                if (v > bottom) { bottom = v; top = i; }
            }

            double max = Math.Max(z[j], bottom), sum = Math.Exp(bottom - max);
            for (int i = 0; i < cols; i++) sum += Math.Exp(z[i] - max);
            total += Math.Log(sum) + max - z[label];
            for (int i = 0; i < cols; i++) d[i] = (float)(scale * Math.Exp(z[i] - max) / sum);
            double qBottom = Math.Exp(bottom - max) / sum;
            d[label] -= scale;
            if (top >= 0)
            {
                d[top] += (float)(scale * qBottom);
                sensitivity[j * cols + top] += (float)(scale * qBottom);
            }
        }

        return (float)total;
    }

    /// <summary>
    /// Soft-max cross-entropy of each row: loss_r = log Σ e^(z) − z[label], computed from the logits for accuracy.
    /// Writes <c>scale · (p − onehot(label))</c>, the gradient with respect to the logits, into <paramref name="delta"/>.
    /// Returns the sum of the row losses.
    /// </summary>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, Span<float> delta, int rows, int cols, float scale)
    {
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)cols)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {r} must be in 0..{cols - 1}.");
            }

            ReadOnlySpan<float> z = logits.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(z);
            double sum = 0;
            for (int i = 0; i < cols; i++) sum += Math.Exp(z[i] - max);
            total += Math.Log(sum) + max - z[label];

            ReadOnlySpan<float> p = probabilities.Slice(r * cols, cols);
            Span<float> d = delta.Slice(r * cols, cols);
            TensorPrimitives.Multiply(p, scale, d);
            d[label] -= scale;
        }

        return (float)total;
    }
}
