using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The fused single-sample SGD step of a dense layer, called by the generated <see cref="INetwork.SgdStep"/>: the
/// gradient of each parameter is formed and applied at once, so no gradient buffer is written or read.
/// </summary>
/// <remarks>
/// Every parameter gets exactly the arithmetic of <see cref="INetwork.LossAndGradient(NetworkWorkspace, ReadOnlySpan{float}, ReadOnlySpan{int}, int, Span{float}, Span{float})"/>
/// at batch 1 followed by the <see cref="Trainer"/>'s update, so both give bit-identical parameters and velocities:
/// g = (δ·x + 0) + λ·w (the product as the k = 1 matrix kernel forms it, then the decay), g_b = 0 + δ for the bias, and
/// v ← μ·v − η·g, θ ← θ + v (Nesterov: θ ← θ + μ·v − η·g), each operation rounded separately (never fused). The
/// weight-decay penalty is summed in the same pass, row by row in row order, so it can differ from the general path's
/// in the last bits; it does not depend on the split over threads.
/// </remarks>
public static class SgdKernels
{
    /// <summary>Layers with fewer weights than this are never split over threads (the hand-off would cost more).</summary>
    public const int SplitThreshold = 32 * 1024;

    /// <summary>
    /// The forward product of a dense layer for one sample, y = W·x + b, exactly as the generated forward pass computes
    /// it (<see cref="Gemm.MultiplyABt(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/> with one row, then
    /// <see cref="Activations.AddBias"/>): each output is a dot product whose rounding depends only on the input length, so
    /// splitting the rows over threads changes nothing. Large layers are split by <paramref name="splitter"/> into the
    /// same row ranges as <see cref="DenseStep"/>, so each thread reads the rows it updates afterwards and they stay in its core's cache.
    /// </summary>
    /// <param name="input">x (length in).</param>
    /// <param name="weights">W, out × in, row-major.</param>
    /// <param name="bias">b (length out), or empty for a layer without bias.</param>
    /// <param name="output">y (length out).</param>
    /// <param name="splitter">Splits the rows of a large layer over threads; null for the calling thread only.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseForward(ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, FusedStepSplitter? splitter = null)
    {
        int rows = output.Length, columns = input.Length;
        if (weights.Length < rows * columns) throw new ArgumentException("The weights are shorter than out × in.");
        if (bias.Length != 0 && bias.Length < rows) throw new ArgumentException("The bias is shorter than out.");
        if (Splits(splitter, rows, columns))
        {
            fixed (float* w = weights, b = bias, x = input, y = output)
            {
                splitter.RunForward(w, bias.Length == 0 ? null : b, x, y, rows, columns);
            }

            return;
        }

        Gemm.MultiplyABt(input, weights, output, 1, rows, columns);
        if (bias.Length != 0) Activations.AddBias(output, bias.Slice(0, rows), 1);
    }

    private static bool Splits([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] FusedStepSplitter? splitter, int rows, int columns) =>
        splitter is not null && splitter.Threads > 1 && rows > 1 && rows * columns >= SplitThreshold;

    /// <summary>
    /// Updates W (out × in, row-major) and b with their velocities for one sample: ∂E/∂W = δ ⊗ x + λ·W, ∂E/∂b = δ.
    /// Returns the penalty (λ/2)·‖W‖² of the weights before the step (0 when λ = 0).
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
    /// <param name="splitter">Splits the rows of a large layer over threads; null for the calling thread only.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float DenseStep(Span<float> weights, Span<float> bias, Span<float> weightVelocity, Span<float> biasVelocity,
        ReadOnlySpan<float> delta, ReadOnlySpan<float> input, float lambda, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null)
    {
        int rows = delta.Length, columns = input.Length;
        if (weights.Length < rows * columns || weightVelocity.Length < rows * columns) throw new ArgumentException("The weights or their velocity are shorter than out × in.");
        if (bias.Length != biasVelocity.Length || (bias.Length != 0 && bias.Length < rows)) throw new ArgumentException("The bias and its velocity differ in length or are shorter than out.");
        float squares = 0f;
        if (Splits(splitter, rows, columns))
        {
            fixed (float* w = weights, v = weightVelocity, d = delta, x = input)
            {
                squares = splitter.Run(w, v, d, x, rows, columns, lambda, momentum, rate, nesterov);
            }
        }
        else
        {
            for (int i = 0; i < rows; i++)
            {
                squares += Row(weights.Slice(i * columns, columns), weightVelocity.Slice(i * columns, columns), delta[i], input, lambda, momentum, rate, nesterov);
            }
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

        return lambda == 0f ? 0f : 0.5f * lambda * squares;
    }

    /// <summary>One row: g = (d·x + 0) + λ·w; v ← μ·v − η·g; w ← w + v (or + μ·v − η·g). Returns Σ w² before the step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Row(Span<float> w, Span<float> velocity, float d, ReadOnlySpan<float> x, float lambda, float momentum, float rate, bool nesterov)
    {
        int n = x.Length, j = 0;
        float squares = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Span<Vector<float>> wv = MemoryMarshal.Cast<float, Vector<float>>(w);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(velocity);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Vector<float> dv = new(d), lam = new(lambda), mu = new(momentum), eta = new(rate), sum = Vector<float>.Zero;
            int count = xv.Length;
            if (lambda != 0f)
            {
                for (int k = 0; k < count; k++)
                {
                    Vector<float> wk = wv[k];
                    sum += wk * wk;
                    Vector<float> step = eta * ((wk * lam) + ((dv * xv[k]) + Vector<float>.Zero));
                    Vector<float> nv = (mu * vv[k]) - step;
                    vv[k] = nv;
                    wv[k] = wk + (nesterov ? (mu * nv) - step : nv);
                }
            }
            else
            {
                for (int k = 0; k < count; k++)
                {
                    Vector<float> step = eta * ((dv * xv[k]) + Vector<float>.Zero);
                    Vector<float> nv = (mu * vv[k]) - step;
                    vv[k] = nv;
                    wv[k] += nesterov ? (mu * nv) - step : nv;
                }
            }

            squares = Vector.Sum(sum);
            j = count * Vector<float>.Count;
        }

        for (; j < n; j++)
        {
            float wj = w[j];
            squares += wj * wj;
            float g = (d * x[j]) + 0f;
            if (lambda != 0f) g = (wj * lambda) + g;
            float step = rate * g;
            float v = (momentum * velocity[j]) - step;
            velocity[j] = v;
            w[j] = wj + (nesterov ? (momentum * v) - step : v);
        }

        return squares;
    }
}

/// <summary>
/// Splits the fused single-sample step of a large dense layer (<see cref="SgdKernels.DenseStep"/>) over the threads of
/// a <see cref="WorkerPool"/> by rows; each parameter's arithmetic and the penalty's summation order do not depend on the
/// split. Reusable, allocation-free per step; one per trainer.
/// </summary>
public sealed unsafe class FusedStepSplitter
{
    private readonly WorkerPool _pool;
    private readonly Action<int> _job;
    private readonly Action<int> _forwardJob;
    private float[] _rowSquares = new float[256];
    private float* _w, _v, _d, _x, _b, _y;
    private int _rows, _columns;
    private float _lambda, _momentum, _rate;
    private bool _nesterov;

    /// <summary>Splits over the threads of <paramref name="pool"/>.</summary>
    public FusedStepSplitter(WorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _job = Part;
        _forwardJob = ForwardPart;
    }

    /// <summary>Threads of the pool.</summary>
    public int Threads => _pool.Threads;

    /// <summary>Steps every row (pointers pinned by the caller for the duration); returns Σ w² summed in row order.</summary>
    internal float Run(float* w, float* v, float* d, float* x, int rows, int columns, float lambda, float momentum, float rate, bool nesterov)
    {
        if (_rowSquares.Length < rows) _rowSquares = new float[rows]; // once per larger layer, never per step
        _w = w;
        _v = v;
        _d = d;
        _x = x;
        (_rows, _columns, _lambda, _momentum, _rate, _nesterov) = (rows, columns, lambda, momentum, rate, nesterov);
        _pool.RunPinned(_job);
        float squares = 0f;
        for (int i = 0; i < rows; i++) squares += _rowSquares[i];
        return squares;
    }

    /// <summary>y = W·x + b by row ranges, thread p on the same rows as in <see cref="Run"/> (pointers pinned by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void RunForward(float* w, float* b, float* x, float* y, int rows, int columns)
    {
        _w = w;
        _b = b;
        _x = x;
        _y = y;
        (_rows, _columns) = (rows, columns);
        _pool.RunPinned(_forwardJob);
    }

    /// <summary>Rows of part <paramref name="part"/>: the same in the forward product and the step, so each stays on its thread.</summary>
    private (int Start, int End) RowRange(int part) =>
        ((int)((long)_rows * part / _pool.Threads), (int)((long)_rows * (part + 1) / _pool.Threads));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardPart(int part)
    {
        int columns = _columns;
        (int start, int end) = RowRange(part);
        if (start >= end) return;
        var y = new Span<float>(_y + start, end - start);
        Gemm.MultiplyABt(new ReadOnlySpan<float>(_x, columns), new ReadOnlySpan<float>(_w + ((long)start * columns), (end - start) * columns), y, 1, end - start, columns);
        if (_b != null) Activations.AddBias(y, new ReadOnlySpan<float>(_b + start, end - start), 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Part(int part)
    {
        int columns = _columns;
        (int start, int end) = RowRange(part);
        var x = new ReadOnlySpan<float>(_x, columns);
        for (int i = start; i < end; i++)
        {
            long offset = (long)i * columns;
            _rowSquares[i] = SgdKernels.Row(new Span<float>(_w + offset, columns), new Span<float>(_v + offset, columns), _d[i], x, _lambda, _momentum, _rate, _nesterov);
        }
    }
}
