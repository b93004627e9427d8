using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The fused single-sample SGD step of a dense layer, called by the trainer's fused one-sample step: the
/// gradient of each parameter is formed and applied at once, so no gradient buffer is written or read.
/// </summary>
/// <remarks>
/// Every parameter gets exactly the arithmetic of <see cref="IClassifier.LossAndGradient"/>
/// at batch 1 followed by the <see cref="Trainer"/>'s update, so both give bit-identical parameters and velocities:
/// g = (δ·x + 0) + λ·w (the product as the k = 1 matrix kernel forms it, then the decay), g_b = 0 + δ for the bias, and
/// v ← μ·v − η·g, θ ← θ + v (Nesterov: θ ← θ + μ·v − η·g), each operation rounded separately (never fused). The
/// weight-decay penalty is summed in the same pass, a sum per row and then the rows' sums by
/// <see cref="TensorPrimitives.Sum(ReadOnlySpan{float})"/>, so it can differ from the general path's in the last bits;
/// it does not depend on the split over threads.
/// </remarks>
internal static class SgdKernels
{
    /// <summary>Layers with fewer weights than this are never split over threads (the hand-off would cost more).</summary>
    public const int SplitThreshold = 32 * 1024;

    /// <summary>
    /// The forward product of a dense layer for one sample, y = W·x + b, exactly as the generated forward pass computes
    /// it (<see cref="Gemm.MultiplyABt(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/> with one row, then
    /// <see cref="Intriguing.Layers.Dense.AddBias"/>): each output is a dot product whose rounding depends only on the input length, so
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
        if (bias.Length != 0) Intriguing.Layers.Dense.AddBias(output, bias.Slice(0, rows), 1);
    }

    /// <summary>
    /// The forward product of a plan's lowest layer for one sample, y = W·x + b with x its input buffer, exactly as
    /// <see cref="DenseForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, FusedStepSplitter?)"/>
    /// forms it; split by <paramref name="splitter"/> into the rows each thread steps in <see cref="DenseSteps"/>, so they
    /// stay in its core's cache.
    /// </summary>
    /// <param name="plan">The plan; its lowest layer's input buffer holds x.</param>
    /// <param name="parameters">The network's parameter buffer.</param>
    /// <param name="output">y (at least the lowest layer's outputs).</param>
    /// <param name="splitter">Splits the rows over threads, as <see cref="DenseSteps"/> does; null for the calling thread only.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseForward(DenseStepPlan plan, ReadOnlySpan<float> parameters, Span<float> output, FusedStepSplitter? splitter = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Count == 0) throw new ArgumentException("The plan has no layers.", nameof(plan));
        if (parameters.Length < plan.Extent) throw new ArgumentException($"The parameters are shorter than the plan's {plan.Extent} values.", nameof(parameters));
        DenseStepPlan.Layer lowest = plan.Lowest;
        if (output.Length < lowest.Rows) throw new ArgumentException($"The output holds {output.Length} values, fewer than the lowest layer's {lowest.Rows} outputs.", nameof(output));
        fixed (float* p = parameters, y = output)
        {
            float* w = p + lowest.WeightsOffset, b = lowest.BiasOffset < 0 ? null : p + lowest.BiasOffset;
            if (SplitsSteps(plan, splitter))
            {
                splitter.RunForward(w, b, lowest.Input, y, lowest.Rows, lowest.Columns, plan);
                return;
            }

            var result = new Span<float>(y, lowest.Rows);
            Gemm.MultiplyABt(new ReadOnlySpan<float>(lowest.Input, lowest.Columns), new ReadOnlySpan<float>(w, lowest.Rows * lowest.Columns), result, 1, lowest.Rows, lowest.Columns);
            if (b != null) Intriguing.Layers.Dense.AddBias(result, new ReadOnlySpan<float>(b, lowest.Rows), 1);
        }
    }

    /// <summary>Whether <see cref="DenseSteps"/> splits <paramref name="plan"/> over the threads of <paramref name="splitter"/>.</summary>
    private static bool SplitsSteps(DenseStepPlan plan, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] FusedStepSplitter? splitter) =>
        splitter is not null && splitter.Threads > 1 && plan.Weights >= SplitThreshold;

    private static bool Splits([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] FusedStepSplitter? splitter, int rows, int columns) =>
        splitter is not null && splitter.Threads > 1 && rows > 1 && rows * columns >= SplitThreshold;

    /// <summary>Batch products with fewer multiply-adds than this (about 2 µs on one core) are never split over threads.</summary>
    public const int BatchSplitThreshold = 256 * 1024;

    private static bool SplitsBatch([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] FusedStepSplitter? splitter, int batch, int rows, int columns) =>
        splitter is not null && splitter.Threads > 1 && rows >= splitter.Threads && (long)batch * rows * columns >= BatchSplitThreshold;

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
    /// <param name="nextInput">Optional: the next sample's input to this layer. Its forward product with the updated
    /// weights and bias is then written to <paramref name="nextOutput"/>, exactly as <see cref="DenseForward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, FusedStepSplitter?)"/> would
    /// compute it, in the same pass over W where the vector width allows (<see cref="CanFuseForward"/>).</param>
    /// <param name="nextOutput">W′·x_next + b′ (length out), when <paramref name="nextInput"/> is given.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float DenseStep(Span<float> weights, Span<float> bias, Span<float> weightVelocity, Span<float> biasVelocity,
        ReadOnlySpan<float> delta, ReadOnlySpan<float> input, float lambda, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null,
        ReadOnlySpan<float> nextInput = default, Span<float> nextOutput = default)
    {
        int rows = delta.Length, columns = input.Length;
        if (weights.Length < rows * columns || weightVelocity.Length < rows * columns) throw new ArgumentException("The weights or their velocity are shorter than out × in.");
        if (bias.Length != biasVelocity.Length || (bias.Length != 0 && bias.Length < rows)) throw new ArgumentException("The bias and its velocity differ in length or are shorter than out.");
        bool ahead = !nextInput.IsEmpty;
        if (ahead && (nextInput.Length != columns || nextOutput.Length < rows)) throw new ArgumentException("The next input must have the input's length and the next output at least out values.");
        bool fuse = ahead && CanFuseForward(columns);
        float squares = 0f;
        fixed (float* w = weights, v = weightVelocity, d = delta, x = input, xn = nextInput, yn = nextOutput, b = bias, bv = biasVelocity)
        {
            if (Splits(splitter, rows, columns))
            {
                squares = splitter.Run(w, v, d, x, rows, columns, lambda, momentum, rate, nesterov, fuse ? xn : null, fuse ? yn : null);
            }
            else
            {
                float[] rowSquares = RowSquaresScratch(rows);
                StepRows(w, v, d, x, fuse ? xn : null, fuse ? yn : null, rowSquares, columns, 0, rows, lambda, momentum, rate, nesterov);
                squares = SumSquares(rowSquares.AsSpan(0, rows));
            }

            if (bias.Length != 0) StepBias(b, bv, d, 0, rows, momentum, rate, nesterov);
        }

        if (fuse)
        {
            if (bias.Length != 0) Intriguing.Layers.Dense.AddBias(nextOutput.Slice(0, rows), bias.Slice(0, rows), 1);
        }
        else if (ahead)
        {
            DenseForward(nextInput, weights, bias, nextOutput.Slice(0, rows), splitter);
        }

        return lambda == 0f ? 0f : 0.5f * lambda * squares;
    }

    /// <summary>
    /// Steps every dense layer of a network for one sample at once, in one region over the threads: the upper layers
    /// and the last rows of the lowest layer on the calling thread, the lowest layer's other rows on the helpers, in a
    /// fixed split (<see cref="DenseStepPlan"/>), so each row and its velocity stay in one core's cache from step to step,
    /// and the upper layers' weights in the calling thread's, which also runs their forward and backward products. With a
    /// derived δ (<see cref="DenseStepPlan.DeriveLowestDelta"/>), the calling thread first forms the lowest layer's δ a
    /// block of columns at a time, and each helper steps its rows as their δ becomes ready. Every parameter gets exactly
    /// <see cref="DenseStep"/>'s arithmetic; the layers' updates do not depend on each other (each uses its own δ and x,
    /// formed with the weights before the step), so the result is that of forming the derived δ as
    /// <see cref="Gemm.MultiplyAB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/> and the
    /// activation's backward function do, then <see cref="DenseStep"/> on each layer, top layer first, for any thread count.
    /// </summary>
    /// <param name="plan">The dense layers, top layer first, with their δ (but a derived one) and x filled in.</param>
    /// <param name="parameters">The network's parameter buffer.</param>
    /// <param name="velocity">The velocities, laid out as <paramref name="parameters"/>.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the step over threads; null for the calling thread only.</param>
    /// <param name="nextInput">Optional: the next sample's input to the lowest layer; its product with that layer's
    /// updated weights and bias is written to <paramref name="nextOutput"/>, as <see cref="DenseStep"/> does.</param>
    /// <param name="nextOutput">W′·x_next + b′ of the lowest layer, when <paramref name="nextInput"/> is given.</param>
    /// <returns>Σ (λ/2)·‖W‖² over the layers, top layer first, of the weights before the step.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float DenseSteps(DenseStepPlan plan, Span<float> parameters, Span<float> velocity, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null,
        ReadOnlySpan<float> nextInput = default, Span<float> nextOutput = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Count == 0) throw new ArgumentException("The plan has no layers.", nameof(plan));
        long extent = plan.Extent;
        if (parameters.Length < extent || velocity.Length < extent) throw new ArgumentException($"The parameters or their velocity are shorter than the plan's {extent} values.");
        DenseStepPlan.Layer lowest = plan.Lowest;
        bool ahead = !nextInput.IsEmpty;
        if (ahead && (nextInput.Length != lowest.Columns || nextOutput.Length < lowest.Rows)) throw new ArgumentException("The next input must have the lowest layer's input length and the next output at least its output length.");
        bool fuse = ahead && CanFuseForward(lowest.Columns);
        fixed (float* p = parameters, v = velocity, xn = nextInput, yn = nextOutput)
        {
            float* x = lowest.Input, next = fuse ? xn : null;
            if (lowest.Columns >= Vector512<float>.Count)
            {
                // The lowest layer's x (and the next input) read from 64-byte aligned copies: its row pass loads them once per row.
                x = plan.Stage(x, fuse ? xn : null, out next);
            }

            if (SplitsSteps(plan, splitter))
            {
                splitter.RunSteps(plan, p, v, x, next, fuse ? yn : null, momentum, rate, nesterov);
            }
            else
            {
                if (plan.Derived is not null)
                {
                    GemmProblem problem = DerivedDeltaProblem(plan, p);
                    DeriveDelta(plan, problem, GemmDriver.Plan(problem, SimdSupport.Level), 0, plan.Lowest.Rows);
                }

                for (int l = 0; l < plan.Count - 1; l++) StepLayerRows(plan[l], p, v, 0, plan[l].Rows, plan[l].Input, null, null, momentum, rate, nesterov);
                StepLayerRows(lowest, p, v, 0, lowest.Rows, x, next, fuse ? yn : null, momentum, rate, nesterov);
            }

            float penalty = 0f;
            for (int l = 0; l < plan.Count; l++)
            {
                DenseStepPlan.Layer layer = plan[l];
                penalty += layer.Lambda == 0f ? 0f : 0.5f * layer.Lambda * SumSquares(layer.RowSquares);
            }

            if (ahead && !fuse)
            {
                ReadOnlySpan<float> bias = lowest.BiasOffset >= 0 ? new ReadOnlySpan<float>(p + lowest.BiasOffset, lowest.Rows) : default;
                DenseForward(nextInput, new ReadOnlySpan<float>(p + lowest.WeightsOffset, lowest.Rows * lowest.Columns), bias, nextOutput.Slice(0, lowest.Rows), splitter);
            }

            return penalty;
        }
    }

    /// <summary>The product dX = δ_above · W_above of a plan's derived δ (<see cref="DenseStepPlan.DeriveLowestDelta"/>; parameters pinned by the caller).</summary>
    internal static unsafe GemmProblem DerivedDeltaProblem(DenseStepPlan plan, float* parameters)
    {
        DenseStepPlan.Layer above = plan[plan.Count - 2];
        return Gemm.Problem(Gemm.GemmProduct.AB, above.Delta, parameters + above.WeightsOffset, plan.Derived!.InputGradient, 1, above.Columns, above.Rows, false);
    }

    /// <summary>
    /// Columns <paramref name="start"/>…<paramref name="end"/>−1 of a plan's derived δ: those of dX, each formed as the
    /// whole product forms it (the matrix kernels' result for an element does not depend on the tile that computes it),
    /// then the activation's backward function on them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void DeriveDelta(DenseStepPlan plan, in GemmProblem problem, in GemmPlan gemmPlan, int start, int end)
    {
        GemmDriver.Run(problem, gemmPlan, SimdSupport.Level, 0, 1, start, end, GemmBuffers.ForCurrentThread());
        DenseStepPlan.DerivedDelta derived = plan.Derived!;
        if (derived.Activation == FusedActivation.None) return;
        int count = end - start;
        ActivateBackward(derived.Activation, new ReadOnlySpan<float>(derived.ActivationOutput + start, count), new ReadOnlySpan<float>(derived.InputGradient + start, count), new Span<float>(plan.Lowest.Delta + start, count));
    }

    /// <summary>
    /// Steps rows <paramref name="start"/>…<paramref name="end"/>−1 of one layer of a plan and their biases (pointers
    /// pinned by the caller), each row's Σ w² into the layer's row squares; with <paramref name="nextOutput"/>, also the
    /// next sample's product W′·x + b′ of those rows, the bias added as <see cref="Intriguing.Layers.Dense.AddBias"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void StepLayerRows(DenseStepPlan.Layer layer, float* parameters, float* velocity, int start, int end, float* x, float* next, float* nextOutput, float momentum, float rate, bool nesterov)
    {
        if (start >= end) return;
        StepRows(parameters + layer.WeightsOffset, velocity + layer.WeightsOffset, layer.Delta, x, next, nextOutput, layer.RowSquares, layer.Columns, start, end, layer.Lambda, momentum, rate, nesterov);
        if (layer.BiasOffset < 0) return;
        float* b = parameters + layer.BiasOffset;
        StepBias(b, velocity + layer.BiasOffset, layer.Delta, start, end, momentum, rate, nesterov);
        if (nextOutput != null)
        {
            var y = new Span<float>(nextOutput + start, end - start);
            TensorPrimitives.Add(y, new ReadOnlySpan<float>(b + start, end - start), y);
        }
    }

    /// <summary>
    /// Steps rows <paramref name="start"/>…<paramref name="end"/>−1 of W (rows of <paramref name="columns"/>, pointers
    /// pinned by the caller) with <see cref="StepRowKernels"/>, and the next sample's product into
    /// <paramref name="nextOutput"/> when <paramref name="next"/> is not null. Each row's Σ w² before the step goes to <paramref name="rowSquares"/>.
    /// </summary>
    internal static unsafe void StepRows(float* w, float* v, float* d, float* x, float* next, float* nextOutput, float[] rowSquares, int columns, int start, int end,
        float lambda, float momentum, float rate, bool nesterov) =>
        StepRowKernels.Rows(w, v, d, x, next, nextOutput, rowSquares, columns, start, end, lambda, momentum, rate, nesterov);

    /// <summary>Σ w² of a layer from its rows' sums, in an order that depends only on the number of rows (never on the split over threads).</summary>
    internal static float SumSquares(ReadOnlySpan<float> rowSquares) => TensorPrimitives.Sum(rowSquares);

    /// <summary>
    /// The bias step of one sample on elements <paramref name="start"/>…<paramref name="end"/>−1: g = 0 + δ;
    /// v ← μ·v − η·g; b ← b + v (or + μ·v − η·g), each operation rounded separately (vectors and scalars alike).
    /// </summary>
    private static unsafe void StepBias(float* bias, float* biasVelocity, float* delta, int start, int end, float momentum, float rate, bool nesterov) =>
        Elementwise.Update(new Span<float>(bias + start, end - start), new Span<float>(biasVelocity + start, end - start), new ReadOnlySpan<float>(delta + start, end - start),
            new MomentumStep(momentum, rate, nesterov, gradientFromZero: true));

    /// <summary>
    /// Whether the forward product of the next sample can be formed in the update pass with exactly the arithmetic of
    /// the matrix kernels' dot-product tiles (one accumulator vector of their width, fused multiply-adds in order, the
    /// same horizontal sum): rows whose length is a multiple of the 512- or 256-bit vector the kernels use here.
    /// </summary>
    internal static bool CanFuseForward(int columns) => SimdSupport.Level switch
    {
        SimdLevel.Vector512 => columns >= Vector512<float>.Count && columns % Vector512<float>.Count == 0,
        SimdLevel.Vector256 => columns >= Vector256<float>.Count && columns % Vector256<float>.Count == 0,
        _ => false,
    };

    /// <summary>
    /// Rows of a layer whose batch gradient is formed at once in a per-thread scratch block (24 × 784 floats, 75 KB, in
    /// L2) and applied. Measured with <c>train-table</c>: 24 beat 12 by up to 18% (FC100-100-10, batch 32) and was level with 48 and 96.
    /// </summary>
    internal const int StepBlockRows = 24;

    [ThreadStatic]
    private static float[]? t_scratch;

    [ThreadStatic]
    private static float[]? t_rowSquares;

    /// <summary>This thread's buffer for the row sums of Σ w² of a layer stepped on one thread (grown once per larger layer, never per step).</summary>
    private static float[] RowSquaresScratch(int rows) => t_rowSquares is { } q && q.Length >= rows ? q : (t_rowSquares = new float[rows]);

    /// <summary>
    /// The forward product of a dense layer for a batch, Y = X·Wᵀ + b, exactly as the generated forward pass computes it
    /// (<see cref="Gemm.MultiplyABt(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>, then
    /// <see cref="Intriguing.Layers.Dense.AddBias"/>). The matrix kernels sum every element in an order that depends only on the
    /// product's shape, so splitting the columns of Y (the rows of W) over threads changes nothing. Large layers are split
    /// by <paramref name="splitter"/> into the same row ranges of W as <see cref="DenseBatchStep"/>, so each thread reads
    /// the rows it updates afterwards and they stay in its core's cache.
    /// </summary>
    /// <param name="inputs">X, batch × in.</param>
    /// <param name="weights">W, out × in, row-major.</param>
    /// <param name="bias">b (length out), or empty for a layer without bias.</param>
    /// <param name="outputs">Y, batch × out.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="rows">out.</param>
    /// <param name="columns">in.</param>
    /// <param name="splitter">Splits the rows of W of a large layer over threads; null for the calling thread only.</param>
    /// <param name="activation">The activation of the layer that follows, applied to Y into <paramref name="activated"/> (None: nothing).</param>
    /// <param name="activated">σ(Y), batch × out, when <paramref name="activation"/> is not None.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseBatchForward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> outputs, int batch, int rows, int columns, FusedStepSplitter? splitter = null,
        FusedActivation activation = FusedActivation.None, Span<float> activated = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (inputs.Length < (long)batch * columns || outputs.Length < (long)batch * rows) throw new ArgumentException("The inputs or outputs are shorter than batch × in or batch × out.");
        if (weights.Length < (long)rows * columns) throw new ArgumentException("The weights are shorter than out × in.");
        if (bias.Length != 0 && bias.Length < rows) throw new ArgumentException("The bias is shorter than out.");
        if (activation != FusedActivation.None && activated.Length < (long)batch * rows) throw new ArgumentException("The activated outputs are shorter than batch × out.");
        if (batch == 1)
        {
            DenseForward(inputs.Slice(0, columns), weights, bias, outputs.Slice(0, rows), splitter);
        }
        else if (SplitsBatch(splitter, batch, rows, columns))
        {
            fixed (float* w = weights, b = bias, x = inputs, y = outputs, a = activated)
            {
                // Each thread applies the activation to its own columns when they are long enough for the vector path
                // that the whole-array call takes (element by element the same function).
                if (splitter.RunBatchForward(w, bias.Length == 0 ? null : b, x, y, batch, rows, columns, activation, a)) return;
            }
        }
        else
        {
            Gemm.MultiplyABt(inputs, weights, outputs, batch, rows, columns);
            if (bias.Length != 0) Intriguing.Layers.Dense.AddBias(outputs.Slice(0, batch * rows), bias.Slice(0, rows), batch);
        }

        Activate(activation, outputs.Slice(0, batch * rows), activated);
    }

    /// <summary>The activation's forward function, as the generated forward pass calls it.</summary>
    internal static void Activate(FusedActivation activation, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation)
        {
            case FusedActivation.Sigmoid: Intriguing.Layers.Activation.Sigmoid(x, y.Slice(0, x.Length)); break;
            case FusedActivation.Tanh: Intriguing.Layers.Activation.Tanh(x, y.Slice(0, x.Length)); break;
            case FusedActivation.ReLU: Intriguing.Layers.Activation.ReLU(x, y.Slice(0, x.Length)); break;
        }
    }

    /// <summary>The activation's backward function through its output y, as the generated backward pass calls it.</summary>
    internal static void ActivateBackward(FusedActivation activation, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (activation)
        {
            case FusedActivation.Sigmoid: Intriguing.Layers.Activation.SigmoidBackward(y, dy, dx); break;
            case FusedActivation.Tanh: Intriguing.Layers.Activation.TanhBackward(y, dy, dx); break;
            case FusedActivation.ReLU: Intriguing.Layers.Activation.ReLUBackward(y, dy, dx); break;
        }
    }

    /// <summary>
    /// The input gradient of a dense layer for a batch, dX = dY·W (<see cref="Gemm.MultiplyAB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>,
    /// with the weights before the step), then, if the layer's input is the output y of an activation, that activation's
    /// backward function into <paramref name="activationDelta"/>. A large layer is split over the threads by samples;
    /// each element is computed as in the whole product.
    /// </summary>
    /// <param name="deltas">dY, batch × out.</param>
    /// <param name="weights">W, out × in.</param>
    /// <param name="inputDeltas">dX, batch × in.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="rows">out.</param>
    /// <param name="columns">in.</param>
    /// <param name="splitter">Splits a large layer's samples over threads; null for the calling thread only.</param>
    /// <param name="activation">The activation whose output is X (None: nothing more).</param>
    /// <param name="activationOutput">X = σ(Z), batch × in, when <paramref name="activation"/> is not None.</param>
    /// <param name="activationDelta">dZ, batch × in, when <paramref name="activation"/> is not None.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void DenseBatchInputGradient(ReadOnlySpan<float> deltas, ReadOnlySpan<float> weights, Span<float> inputDeltas, int batch, int rows, int columns, FusedStepSplitter? splitter = null,
        FusedActivation activation = FusedActivation.None, ReadOnlySpan<float> activationOutput = default, Span<float> activationDelta = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        long n = (long)batch * columns;
        if (deltas.Length < (long)batch * rows || inputDeltas.Length < n) throw new ArgumentException("The deltas are shorter than batch × out or batch × in.");
        if (weights.Length < (long)rows * columns) throw new ArgumentException("The weights are shorter than out × in.");
        if (activation != FusedActivation.None && (activationOutput.Length < n || activationDelta.Length < n)) throw new ArgumentException("The activation's output or delta is shorter than batch × in.");
        if (batch > 1 && SplitsBatch(splitter, batch, rows, columns))
        {
            fixed (float* d = deltas, w = weights, dx = inputDeltas, y = activationOutput, dz = activationDelta)
            {
                splitter.RunBatchInputGradient(d, w, dx, batch, rows, columns, activation, y, dz);
            }

            return;
        }

        Gemm.MultiplyAB(deltas, weights, inputDeltas, batch, columns, rows);
        if (activation != FusedActivation.None) ActivateBackward(activation, activationOutput.Slice(0, (int)n), inputDeltas.Slice(0, (int)n), activationDelta.Slice(0, (int)n));
    }

    /// <summary>
    /// One SGD step of a dense layer on a batch: ∂E/∂W = dYᵀ·X + λ·W, ∂E/∂b = Σ_samples dY, formed a block of
    /// <see cref="StepBlockRows"/> rows at a time and applied at once, so no full gradient buffer is written or read.
    /// Every parameter gets exactly the arithmetic of <see cref="IClassifier.LossAndGradient"/>
    /// on the whole batch (<see cref="Gemm.MultiplyAtB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>,
    /// <see cref="Intriguing.Layers.Dense.SumRows"/>, <see cref="Objectives.WeightDecay"/>) followed by the <see cref="Trainer"/>'s
    /// update, for any split. Returns the penalty (λ/2)·‖W‖² of the weights before the step (0 when λ = 0), summed row by
    /// row in row order.
    /// </summary>
    /// <param name="weights">W, out × in.</param>
    /// <param name="bias">b (length out), or empty for a layer without bias.</param>
    /// <param name="weightVelocity">Velocity of W, same shape.</param>
    /// <param name="biasVelocity">Velocity of b, or empty.</param>
    /// <param name="deltas">∂E/∂Y of the layer's output, batch × out (already divided by the batch size).</param>
    /// <param name="inputs">The layer's input X, batch × in.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="rows">out.</param>
    /// <param name="columns">in.</param>
    /// <param name="lambda">Weight decay λ of W (0 for none).</param>
    /// <param name="momentum">μ.</param>
    /// <param name="rate">η.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="splitter">Splits the rows of a large layer over threads; null for the calling thread only.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float DenseBatchStep(Span<float> weights, Span<float> bias, Span<float> weightVelocity, Span<float> biasVelocity,
        ReadOnlySpan<float> deltas, ReadOnlySpan<float> inputs, int batch, int rows, int columns, float lambda, float momentum, float rate, bool nesterov, FusedStepSplitter? splitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (deltas.Length < (long)batch * rows || inputs.Length < (long)batch * columns) throw new ArgumentException("The deltas or inputs are shorter than batch × out or batch × in.");
        if (weights.Length < (long)rows * columns || weightVelocity.Length < (long)rows * columns) throw new ArgumentException("The weights or their velocity are shorter than out × in.");
        if (bias.Length != biasVelocity.Length || (bias.Length != 0 && bias.Length < rows)) throw new ArgumentException("The bias and its velocity differ in length or are shorter than out.");
        if (batch == 1)
        {
            return DenseStep(weights, bias, weightVelocity, biasVelocity, deltas.Slice(0, rows), inputs.Slice(0, columns), lambda, momentum, rate, nesterov, splitter);
        }

        float squares = 0f;
        fixed (float* w = weights, b = bias, v = weightVelocity, bv = biasVelocity, d = deltas, x = inputs)
        {
            float* pb = bias.Length == 0 ? null : b, pbv = bias.Length == 0 ? null : bv;
            if (SplitsBatch(splitter, batch, rows, columns))
            {
                squares = splitter.RunBatchStep(w, pb, v, pbv, d, x, batch, rows, columns, lambda, momentum, rate, nesterov);
            }
            else
            {
                GemmProblem problem = Gemm.Problem(Gemm.GemmProduct.AtB, d, x, null, rows, columns, batch, false);
                GemmPlan plan = GemmDriver.Plan(problem, SimdSupport.Level);
                float[] scratch = t_scratch is { } s && s.Length >= StepBlockRows * columns ? s : (t_scratch = new float[StepBlockRows * columns]);
                float[] rowSquares = RowSquaresScratch(rows);
                fixed (float* ps = scratch, pq = rowSquares)
                {
                    StepRows(problem, plan, w, pb, v, pbv, d, batch, rows, columns, 0, rows, ps, pq, lambda, momentum, rate, nesterov);
                    for (int i = 0; i < rows; i++) squares += pq[i];
                }
            }
        }

        return lambda == 0f ? 0f : 0.5f * lambda * squares;
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="end"/>) of <see cref="DenseBatchStep"/>: each block's gradient
    /// rows dYᵀ·X into <paramref name="scratch"/> by the plan of the whole product, then its rows and biases stepped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void StepRows(in GemmProblem gradient, in GemmPlan plan, float* w, float* b, float* v, float* bv, float* d, int batch, int rows, int columns,
        int start, int end, float* scratch, float* rowSquares, float lambda, float momentum, float rate, bool nesterov)
    {
        GemmBuffers buffers = GemmBuffers.ForCurrentThread();
        for (int r = start; r < end; r += StepBlockRows)
        {
            int blockEnd = Math.Min(end, r + StepBlockRows);
            GemmProblem block = gradient;
            block.C = scratch - ((nint)r * columns); // row r of the product lands at the start of the scratch block
            GemmDriver.Run(block, plan, SimdSupport.Level, r, blockEnd, 0, columns, buffers);
            for (int i = r; i < blockEnd; i++)
            {
                long offset = (long)i * columns;
                rowSquares[i] = GradientRow(new Span<float>(w + offset, columns), new Span<float>(v + offset, columns), new ReadOnlySpan<float>(scratch + ((long)(i - r) * columns), columns), lambda, momentum, rate, nesterov);
                if (b != null)
                {
                    float g = 0f; // Σ_s dY[s, i] in sample order, as SumRows adds the rows
                    for (int s = 0; s < batch; s++) g += d[((long)s * rows) + i];
                    float step = rate * g;
                    float nv = (momentum * bv[i]) - step;
                    bv[i] = nv;
                    b[i] += nesterov ? (momentum * nv) - step : nv;
                }
            }
        }
    }

    /// <summary>One row with its gradient g given: g ← λ·w + g; v ← μ·v − η·g; w ← w + v (or + μ·v − η·g). Returns Σ w² before the step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float GradientRow(Span<float> w, Span<float> velocity, ReadOnlySpan<float> gradient, float lambda, float momentum, float rate, bool nesterov)
    {
        int n = w.Length, j = 0;
        float squares = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Span<Vector<float>> wv = MemoryMarshal.Cast<float, Vector<float>>(w);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(velocity);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            Vector<float> lam = new(lambda), mu = new(momentum), eta = new(rate), sum = Vector<float>.Zero;
            int count = wv.Length;
            if (lambda != 0f)
            {
                for (int k = 0; k < count; k++)
                {
                    Vector<float> wk = wv[k];
                    sum += wk * wk;
                    Vector<float> step = eta * ((wk * lam) + gv[k]);
                    Vector<float> nv = (mu * vv[k]) - step;
                    vv[k] = nv;
                    wv[k] = wk + (nesterov ? (mu * nv) - step : nv);
                }
            }
            else
            {
                for (int k = 0; k < count; k++)
                {
                    Vector<float> step = eta * gv[k];
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
            float g = gradient[j];
            if (lambda != 0f) g = (wj * lambda) + g;
            float step = rate * g;
            float v = (momentum * velocity[j]) - step;
            velocity[j] = v;
            w[j] = wj + (nesterov ? (momentum * v) - step : v);
        }

        return squares;
    }
}
