using System.Runtime.InteropServices;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// The dense layers of a network's fused one-sample SGD step (<see cref="SgdKernels.DenseSteps"/>), top layer first:
/// where each layer's weights, bias and their velocities sit in the parameter and velocity buffers, its shape and weight
/// decay, and the workspace buffers that hold its output delta δ and its input x for one sample. Made once per
/// workspace by the generated code; the buffers are pinned for the plan's lifetime, so a step needs no pinning.
/// </summary>
internal sealed unsafe class DenseStepPlan
{
    private readonly List<Layer> _layers = new();
    private int _threads = -1;

    /// <summary>Adds the next lower dense layer (the first one added is the top layer, the last one the lowest).</summary>
    /// <param name="weightsOffset">Where W (rows × columns, row-major) starts in the parameter and velocity buffers.</param>
    /// <param name="biasOffset">Where b starts, or −1 for a layer without bias.</param>
    /// <param name="rows">Outputs of the layer.</param>
    /// <param name="columns">Inputs of the layer.</param>
    /// <param name="lambda">Weight decay λ of W.</param>
    /// <param name="delta">Buffer holding ∂E/∂y of the layer's output for one sample (at least <paramref name="rows"/> values).</param>
    /// <param name="input">Buffer holding the layer's input x for one sample (at least <paramref name="columns"/> values).</param>
    /// <returns>This plan.</returns>
    public DenseStepPlan Add(int weightsOffset, int biasOffset, int rows, int columns, float lambda, float[] delta, float[] input)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(weightsOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(biasOffset, -1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (delta.Length < rows) throw new ArgumentException($"The delta buffer holds {delta.Length} values, fewer than the layer's {rows} outputs.", nameof(delta));
        if (input.Length < columns) throw new ArgumentException($"The input buffer holds {input.Length} values, fewer than the layer's {columns} inputs.", nameof(input));
        if (Derived is not null) throw new InvalidOperationException("The lowest layer's delta is already derived from the layer above; add every layer first.");
        _layers.Add(new Layer(weightsOffset, biasOffset, rows, columns, lambda, delta, input));
        Weights += (long)rows * columns;
        _threads = -1;
        return this;
    }

    /// <summary>
    /// Declares that the step forms the lowest layer's δ itself, from the δ of the layer above it (the last two layers
    /// added): dX = δ_above · W_above with the weights before the step, exactly as
    /// <see cref="Gemm.MultiplyAB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/> forms it,
    /// then, when an activation lies between the two layers, its backward function through its output y into the lowest
    /// layer's δ buffer. Split over threads, the calling thread forms δ a block of columns at a time and the helpers start
    /// on their rows of the lowest layer as soon as their δ is ready, instead of waiting for the whole product.
    /// </summary>
    /// <param name="activation">The activation between the two layers, or <see cref="FusedActivation.None"/> when the
    /// layer above takes the lowest layer's output directly (dX is then the lowest layer's δ).</param>
    /// <param name="inputGradient">Buffer for dX (at least the lowest layer's outputs); null without an activation.</param>
    /// <param name="activationOutput">Buffer holding the activation's output y for the sample; null without an activation.</param>
    /// <returns>This plan.</returns>
    public DenseStepPlan DeriveLowestDelta(FusedActivation activation, float[]? inputGradient = null, float[]? activationOutput = null)
    {
        if (_layers.Count < 2) throw new InvalidOperationException("Deriving the lowest layer's delta needs a layer above it: add both first.");
        if (Derived is not null) throw new InvalidOperationException("The lowest layer's delta is already derived.");
        Layer lowest = Lowest, above = _layers[^2];
        if (above.Columns != lowest.Rows) throw new InvalidOperationException($"The layer above takes {above.Columns} inputs, but the lowest layer has {lowest.Rows} outputs.");
        if (activation == FusedActivation.None)
        {
            if (inputGradient is not null || activationOutput is not null) throw new ArgumentException("Without an activation, dX is the lowest layer's delta: pass no buffers.");
        }
        else
        {
            if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Not an activation.");
            ArgumentNullException.ThrowIfNull(inputGradient);
            ArgumentNullException.ThrowIfNull(activationOutput);
            if (inputGradient.Length < lowest.Rows || activationOutput.Length < lowest.Rows) throw new ArgumentException($"The dX and activation output buffers must hold at least the lowest layer's {lowest.Rows} outputs.");
        }

        Derived = new DerivedDelta(activation, inputGradient, activationOutput, lowest);
        _threads = -1;
        return this;
    }

    /// <summary>How the step forms the lowest layer's δ, or null when it is given (<see cref="DeriveLowestDelta"/>).</summary>
    internal DerivedDelta? Derived { get; private set; }

    /// <summary>Weights of all the plan's layers.</summary>
    internal long Weights { get; private set; }

    /// <summary>Dense layers in the plan.</summary>
    public int Count => _layers.Count;

    /// <summary>Parameters the plan reaches: the end of its furthest weight or bias block.</summary>
    internal long Extent
    {
        get
        {
            long end = 0;
            foreach (Layer l in _layers) end = Math.Max(end, Math.Max((long)l.WeightsOffset + ((long)l.Rows * l.Columns), l.BiasOffset < 0 ? 0 : (long)l.BiasOffset + l.Rows));
            return end;
        }
    }

    internal Layer this[int index] => _layers[index];

    /// <summary>The lowest layer (the one whose rows are split over threads and that forms the next sample's product).</summary>
    internal Layer Lowest => _layers[^1];

    /// <summary>
    /// Rows of the lowest layer that part 0 (the calling thread, which also forms a derived δ and steps every upper
    /// layer) takes for <paramref name="threads"/> threads: the last rows; parts 1… share the others evenly. Chosen once
    /// so that each part has about the same work, counted in weights stepped (forming dX reads each weight of the layer
    /// above once, which counts as <see cref="DeriveCost"/> of a step), and fixed afterwards, so every row stays on one
    /// core from step to step.
    /// </summary>
    internal int CallerRows(int threads)
    {
        if (_threads == threads) return _callerRows;
        Layer lowest = Lowest;
        long upper = 0, total = (long)lowest.Rows * lowest.Columns;
        for (int i = 0; i < _layers.Count - 1; i++) upper += (long)_layers[i].Rows * _layers[i].Columns;
        if (Derived is not null) upper += (long)(DeriveCost * _layers[^2].Rows * _layers[^2].Columns);
        total += upper;
        long share = (total / threads) - upper;
        _callerRows = share <= 0 ? 0 : (int)Math.Min(lowest.Rows, (share + (lowest.Columns / 2)) / lowest.Columns);
        _threads = threads;
        return _callerRows;
    }

    /// <summary>
    /// The cost of forming dX through a weight of the layer above, as a fraction of stepping a weight. Both stream the
    /// weights from L2, and the step also reads and writes the velocity and writes the weight: measured on FC200-200-10's
    /// second layer (AVX-512, Zen 5), 1.5 µs for dX against 3.3 µs for the step.
    /// </summary>
    internal const double DeriveCost = 0.45;

    private int _callerRows;
    private AlignedBuffer? _stage;

    /// <summary>
    /// Copies the lowest layer's input <paramref name="x"/> (and <paramref name="next"/>, when given) to 64-byte aligned
    /// buffers and returns the copy of x; <paramref name="nextCopy"/> is the copy of next (null without it).
    /// </summary>
    internal float* Stage(float* x, float* next, out float* nextCopy)
    {
        int columns = Lowest.Columns, stride = (columns + 15) & ~15;
        if (_stage is null || _stage.Length < 2 * stride) _stage = new AlignedBuffer(2 * stride); // once per plan
        float* copy = _stage.Pointer;
        new ReadOnlySpan<float>(x, columns).CopyTo(new Span<float>(copy, columns));
        nextCopy = null;
        if (next != null)
        {
            nextCopy = copy + stride;
            new ReadOnlySpan<float>(next, columns).CopyTo(new Span<float>(nextCopy, columns));
        }

        return copy;
    }

    /// <summary>The lowest layer's δ formed in the step (<see cref="DeriveLowestDelta"/>); its buffers are pinned while the plan lives.</summary>
    internal sealed class DerivedDelta
    {
        private readonly GCHandle _inputGradient, _activationOutput;

        internal DerivedDelta(FusedActivation activation, float[]? inputGradient, float[]? activationOutput, Layer lowest)
        {
            Activation = activation;
            if (activation == FusedActivation.None)
            {
                InputGradient = lowest.Delta;
                return;
            }

            _inputGradient = GCHandle.Alloc(inputGradient, GCHandleType.Pinned);
            _activationOutput = GCHandle.Alloc(activationOutput, GCHandleType.Pinned);
            InputGradient = (float*)_inputGradient.AddrOfPinnedObject();
            ActivationOutput = (float*)_activationOutput.AddrOfPinnedObject();
        }

        ~DerivedDelta()
        {
            if (_inputGradient.IsAllocated) _inputGradient.Free();
            if (_activationOutput.IsAllocated) _activationOutput.Free();
        }

        internal FusedActivation Activation { get; }

        /// <summary>dX of the layer above (the lowest layer's δ itself without an activation).</summary>
        internal float* InputGradient { get; }

        /// <summary>y of the activation (null without one).</summary>
        internal float* ActivationOutput { get; }
    }

    /// <summary>One dense layer; its buffers are pinned while the plan lives.</summary>
    internal sealed class Layer
    {
        private readonly GCHandle _delta, _input;

        internal Layer(int weightsOffset, int biasOffset, int rows, int columns, float lambda, float[] delta, float[] input)
        {
            (WeightsOffset, BiasOffset, Rows, Columns, Lambda) = (weightsOffset, biasOffset, rows, columns, lambda);
            _delta = GCHandle.Alloc(delta, GCHandleType.Pinned);
            _input = GCHandle.Alloc(input, GCHandleType.Pinned);
            Delta = (float*)_delta.AddrOfPinnedObject();
            Input = (float*)_input.AddrOfPinnedObject();
            RowSquares = new float[rows];
        }

        ~Layer()
        {
            _delta.Free();
            _input.Free();
        }

        internal int WeightsOffset { get; }

        internal int BiasOffset { get; }

        internal int Rows { get; }

        internal int Columns { get; }

        internal float Lambda { get; }

        internal float* Delta { get; }

        internal float* Input { get; }

        /// <summary>Σ w² of each row before the step, written by whichever thread steps the row.</summary>
        internal float[] RowSquares { get; }
    }
}
