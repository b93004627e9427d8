using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Intriguing.Linear;

namespace Intriguing.Training;

/// <summary>
/// Splits the fused single-sample step of a large dense layer (<see cref="SgdKernels.DenseStep"/>) over the threads of
/// a <see cref="WorkerPool"/> by rows; each parameter's arithmetic and the penalty's summation order do not depend on the
/// split. Reusable, allocation-free per step; one per trainer.
/// </summary>
internal sealed unsafe class FusedStepSplitter
{
    private readonly WorkerPool _pool;
    private readonly Action<int> _job;
    private readonly Action<int> _forwardJob;
    private float[] _rowSquares = new float[256];
    private readonly Action<int> _batchForwardJob;
    private readonly Action<int> _batchStepJob;
    private readonly float[][] _scratch;
    private GemmProblem _problem;
    private GemmPlan _plan;
    private readonly Action<int> _batchInputGradientJob;
    private readonly Action<int> _stepsJob;
    private DenseStepPlan? _steps;
    private int _callerRows;
    private FusedActivation _activation;
    private float* _w, _v, _d, _x, _b, _y, _bv, _a, _xNext, _yNext;
    private int _batch, _rows, _columns;
    private float _lambda, _momentum, _rate;
    private bool _nesterov;

    /// <summary>Splits over the threads of <paramref name="pool"/>.</summary>
    public FusedStepSplitter(WorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _job = Part;
        _forwardJob = ForwardPart;
        _batchForwardJob = BatchForwardPart;
        _batchStepJob = BatchStepPart;
        _batchInputGradientJob = BatchInputGradientPart;
        _stepsJob = StepsPart;
        _scratch = new float[pool.Threads][];
        for (int p = 0; p < _scratch.Length; p++) _scratch[p] = Array.Empty<float>();
    }

    /// <summary>Threads of the pool.</summary>
    public int Threads => _pool.Threads;

    /// <summary>Steps every row (pointers pinned by the caller for the duration); returns Σ w² summed in row order.</summary>
    internal float Run(float* w, float* v, float* d, float* x, int rows, int columns, float lambda, float momentum, float rate, bool nesterov, float* nextInput = null, float* nextOutput = null)
    {
        if (_rowSquares.Length < rows) _rowSquares = new float[rows]; // once per larger layer, never per step
        _w = w;
        _v = v;
        _d = d;
        _x = x;
        _xNext = nextInput;
        _yNext = nextOutput;
        (_rows, _columns, _lambda, _momentum, _rate, _nesterov) = (rows, columns, lambda, momentum, rate, nesterov);
        _pool.RunPinned(_job);
        return SgdKernels.SumSquares(_rowSquares.AsSpan(0, rows));
    }

    /// <summary>The row steps of <see cref="SgdKernels.DenseSteps"/> (pointers pinned by the caller).</summary>
    internal void RunSteps(DenseStepPlan plan, float* parameters, float* velocity, float* x, float* nextInput, float* nextOutput, float momentum, float rate, bool nesterov)
    {
        _steps = plan;
        _w = parameters;
        _v = velocity;
        _x = x;
        _xNext = nextInput;
        _yNext = nextOutput;
        (_momentum, _rate, _nesterov) = (momentum, rate, nesterov);
        _callerRows = plan.CallerRows(_pool.Threads); // on this thread, before the parts start
        if (plan.Derived is not null)
        {
            _problem = SgdKernels.DerivedDeltaProblem(plan, parameters);
            _plan = GemmDriver.Plan(_problem, SimdSupport.Level);
            Volatile.Write(ref _progress.Ready, 0);
        }
        else
        {
            Volatile.Write(ref _progress.Ready, plan.Lowest.Rows);
        }

        _pool.RunPinned(_stepsJob);
        _steps = null;
    }

    /// <summary>
    /// Part 0 (the caller) forms a derived δ of the lowest layer a block of columns at a time, publishing how many rows
    /// are ready after each, then steps every upper layer (after the δ, whose product reads the weights above before
    /// their step) and the last rows of the lowest layer. The other parts share the lowest layer's first rows, each
    /// stepping its rows as their δ becomes ready.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepsPart(int part)
    {
        DenseStepPlan plan = _steps!;
        DenseStepPlan.Layer lowest = plan.Lowest;
        int callerRows = _callerRows, shared = lowest.Rows - callerRows;
        if (part == 0)
        {
            if (plan.Derived is not null)
            {
                try
                {
                    int block = _plan.ColumnStep;
                    for (int j = 0; j < lowest.Rows; j += block)
                    {
                        int end = Math.Min(lowest.Rows, j + block);
                        SgdKernels.DeriveDelta(plan, _problem, _plan, j, end);
                        Volatile.Write(ref _progress.Ready, end);
                    }
                }
                finally
                {
                    // Never leave a helper waiting, even if forming δ failed (the run then reports the error).
                    Volatile.Write(ref _progress.Ready, lowest.Rows);
                }
            }

            for (int l = 0; l < plan.Count - 1; l++) SgdKernels.StepLayerRows(plan[l], _w, _v, 0, plan[l].Rows, plan[l].Input, null, null, _momentum, _rate, _nesterov);
            SgdKernels.StepLayerRows(lowest, _w, _v, shared, lowest.Rows, _x, _xNext, _yNext, _momentum, _rate, _nesterov);
            return;
        }

        (int start, int stop) = StepsRowRange(part, lowest.Rows, callerRows);
        for (int i = start; i < stop;)
        {
            int ready = Volatile.Read(ref _progress.Ready);
            if (ready <= i) continue; // polled without a pause: the next block takes a fraction of a microsecond
            int until = Math.Min(stop, ready);
            SgdKernels.StepLayerRows(lowest, _w, _v, i, until, _x, _xNext, _yNext, _momentum, _rate, _nesterov);
            i = until;
        }
    }

    /// <summary>Rows of the lowest layer that part <paramref name="part"/> steps in <see cref="RunSteps"/>: the last <paramref name="callerRows"/> for part 0, a share of the others for each helper.</summary>
    private (int Start, int End) StepsRowRange(int part, int rows, int callerRows) =>
        part == 0 ? (rows - callerRows, rows) : WorkerPool.PartRange(rows - callerRows, part - 1, _pool.Threads - 1);

    /// <summary>Rows of the lowest layer whose δ is ready, alone on its cache lines (helpers poll it while part 0 writes it).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 192)]
    private struct Progress
    {
        [System.Runtime.InteropServices.FieldOffset(64)]
        internal int Ready;
    }

    private Progress _progress;

    /// <summary>
    /// y = W·x + b by row ranges, thread p on the same rows as in <see cref="Run"/>, or, with <paramref name="plan"/>, as
    /// in <see cref="RunSteps"/> for its lowest layer (pointers pinned by the caller).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void RunForward(float* w, float* b, float* x, float* y, int rows, int columns, DenseStepPlan? plan = null)
    {
        _w = w;
        _b = b;
        _x = x;
        _y = y;
        (_rows, _columns) = (rows, columns);
        _forwardCallerRows = plan is null ? -1 : plan.CallerRows(_pool.Threads);
        _pool.RunPinned(_forwardJob);
    }

    private int _forwardCallerRows;

    /// <summary>Y = X·Wᵀ + b for a batch, thread p computing the columns of Y of its rows of W (pointers pinned by the caller).</summary>
    /// <returns>Whether the threads also applied <paramref name="activation"/> into <paramref name="a"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool RunBatchForward(float* w, float* b, float* x, float* y, int batch, int rows, int columns, FusedActivation activation, float* a)
    {
        _problem = Gemm.Problem(Gemm.GemmProduct.ABt, x, w, y, batch, rows, columns, false);
        _plan = GemmDriver.Plan(_problem, SimdSupport.Level);
        _b = b;
        _y = y;
        _a = a;
        (_batch, _rows, _columns) = (batch, rows, columns);
        // Columns shorter than a 512-bit vector would take another code path of the activation than the whole array.
        _activation = rows / _pool.Threads >= 16 ? activation : FusedActivation.None;
        _pool.RunPinned(_batchForwardJob);
        return _activation == activation;
    }

    /// <summary>dX = dY·W, then the activation's backward function, by sample ranges (pointers pinned by the caller).</summary>
    internal void RunBatchInputGradient(float* d, float* w, float* dx, int batch, int rows, int columns, FusedActivation activation, float* y, float* dz)
    {
        _problem = Gemm.Problem(Gemm.GemmProduct.AB, d, w, dx, batch, columns, rows, false);
        _plan = GemmDriver.Plan(_problem, SimdSupport.Level);
        _y = y;
        _a = dz;
        _d = dx;
        (_batch, _rows, _columns, _activation) = (batch, rows, columns, activation);
        _pool.RunPinned(_batchInputGradientJob);
    }

    /// <summary>Steps every row of a layer on a batch (pointers pinned by the caller); returns Σ w² summed in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal float RunBatchStep(float* w, float* b, float* v, float* bv, float* d, float* x, int batch, int rows, int columns, float lambda, float momentum, float rate, bool nesterov)
    {
        if (_rowSquares.Length < rows) _rowSquares = new float[rows]; // once per larger layer, never per step
        int scratch = SgdKernels.StepBlockRows * columns;
        for (int p = 0; p < _scratch.Length; p++)
        {
            if (_scratch[p].Length < scratch) _scratch[p] = GC.AllocateArray<float>(scratch, pinned: true);
        }

        _problem = Gemm.Problem(Gemm.GemmProduct.AtB, d, x, null, rows, columns, batch, false);
        _plan = GemmDriver.Plan(_problem, SimdSupport.Level);
        _w = w;
        _b = b;
        _v = v;
        _bv = bv;
        _d = d;
        (_batch, _rows, _columns, _lambda, _momentum, _rate, _nesterov) = (batch, rows, columns, lambda, momentum, rate, nesterov);
        _pool.RunPinned(_batchStepJob);
        float squares = 0f;
        for (int i = 0; i < rows; i++) squares += _rowSquares[i];
        return squares;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BatchForwardPart(int part)
    {
        (int start, int end) = RowRange(part);
        if (start >= end) return;
        GemmDriver.Run(_problem, _plan, SimdSupport.Level, 0, _batch, start, end, GemmBuffers.ForCurrentThread());
        var bias = new ReadOnlySpan<float>(_b + start, end - start);
        for (int s = 0; s < _batch; s++)
        {
            long offset = ((long)s * _rows) + start;
            var y = new Span<float>(_y + offset, end - start);
            if (_b != null) TensorPrimitives.Add(y, bias, y); // as Intriguing.Layers.Dense.AddBias, element by element
            if (_activation != FusedActivation.None) SgdKernels.Activate(_activation, y, new Span<float>(_a + offset, end - start));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BatchInputGradientPart(int part)
    {
        (int start, int end) = WorkerPool.PartRange(_batch, part, _pool.Threads);
        if (start >= end) return;
        GemmDriver.Run(_problem, _plan, SimdSupport.Level, start, end, 0, _columns, GemmBuffers.ForCurrentThread());
        if (_activation == FusedActivation.None) return;
        long offset = (long)start * _columns;
        int length = (end - start) * _columns;
        SgdKernels.ActivateBackward(_activation, new ReadOnlySpan<float>(_y + offset, length), new ReadOnlySpan<float>(_d + offset, length), new Span<float>(_a + offset, length));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BatchStepPart(int part)
    {
        (int start, int end) = RowRange(part);
        if (start >= end) return;
        fixed (float* scratch = _scratch[part], squares = _rowSquares)
        {
            SgdKernels.StepRows(_problem, _plan, _w, _b, _v, _bv, _d, _batch, _rows, _columns, start, end, scratch, squares, _lambda, _momentum, _rate, _nesterov);
        }
    }

    /// <summary>Rows of part <paramref name="part"/>: the same in the forward product and the step, so each stays on its thread.</summary>
    private (int Start, int End) RowRange(int part) =>
        WorkerPool.PartRange(_rows, part, _pool.Threads);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardPart(int part)
    {
        int columns = _columns;
        (int start, int end) = _forwardCallerRows < 0 ? RowRange(part) : StepsRowRange(part, _rows, _forwardCallerRows);
        if (start >= end) return;
        var y = new Span<float>(_y + start, end - start);
        Gemm.MultiplyABt(new ReadOnlySpan<float>(_x, columns), new ReadOnlySpan<float>(_w + ((long)start * columns), (end - start) * columns), y, 1, end - start, columns);
        if (_b != null) Intriguing.Layers.Dense.AddBias(y, new ReadOnlySpan<float>(_b + start, end - start), 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Part(int part)
    {
        (int start, int end) = RowRange(part);
        SgdKernels.StepRows(_w, _v, _d, _x, _xNext, _yNext, _rowSquares, _columns, start, end, _lambda, _momentum, _rate, _nesterov);
    }
}
