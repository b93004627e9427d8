using System.ComponentModel;

namespace Intriguing.Certification;

/// <summary>
/// The buffers of one thread's bound propagation through a network (<see cref="ICertifiable.CreateBoundWorkspace"/>):
/// the lower and upper bounds of every activation up to the logits, the linear relaxations and the rows of the
/// backward passes, allocated once. After <see cref="ICertifiable.PropagateBounds"/> the bounds of activation k are
/// <see cref="Lower"/>(k) and <see cref="Upper"/>(k). Not thread-safe: give each thread its own.
/// </summary>
public abstract class BoundWorkspace
{
    private readonly int[] _lengths;
    private readonly float[][] _lower;
    private readonly float[][] _upper;
    private readonly float[][] _rows;
    private readonly double[] _constants;
    private readonly double[] _rowBounds;
    private readonly float[] _input;
    private readonly float[] _mid;
    private readonly float[] _radius;
    private readonly float[] _columns;
    private readonly int[] _windows;
    private readonly int[] _order;
    private readonly float[] _gather;
    private float[] _windowScratch = [];
    private bool _propagated;

    /// <summary>Allocates the buffers; for generated code.</summary>
    /// <param name="lengths">Values of activations 0 (the input) to the logits.</param>
    /// <param name="rowChunk">Rows of one backward pass (at least 1).</param>
    /// <param name="columnsLength">Floats of convolution scratch (im2col of one sample), or 0.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected BoundWorkspace(int[] lengths, int rowChunk, long columnsLength)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentOutOfRangeException.ThrowIfLessThan(lengths.Length, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowChunk, 1);
        _lengths = (int[])lengths.Clone();
        RowChunk = rowChunk;
        int count = lengths.Length, widest = 0;
        _lower = new float[count][];
        _upper = new float[count][];
        _rows = new float[count][];
        for (int k = 0; k < count; k++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(lengths[k], 1);
            _lower[k] = new float[lengths[k]];
            _upper[k] = new float[lengths[k]];
            _rows[k] = new float[checked(rowChunk * lengths[k])];
            widest = Math.Max(widest, lengths[k]);
        }

        _constants = new double[rowChunk];
        _rowBounds = new double[rowChunk];
        _input = new float[lengths[0]];
        _mid = new float[widest];
        _radius = new float[widest];
        _columns = new float[checked((int)Math.Max(columnsLength, 1))];
        _windows = new int[4 * count];
        _order = new int[widest];
        _gather = new float[checked(4 * lengths[0])];
        Margins = new double[lengths[^1]];
        Outputs = new float[lengths[^1]];
    }

    /// <summary>The activation that holds the logits (the margins are bounded there).</summary>
    public int LogitsLayer => _lengths.Length - 1;

    /// <summary>Rows of one backward pass: the intermediate bounds are computed this many neurons at a time.</summary>
    public int RowChunk { get; }

    /// <summary>The input region of the last <see cref="ICertifiable.PropagateBounds"/>.</summary>
    public InputRegion Region { get; private set; }

    /// <summary>The method of the last <see cref="ICertifiable.PropagateBounds"/>.</summary>
    public BoundMethod Method { get; private set; }

    /// <summary>Lower bounds of activation <paramref name="layer"/> (0 = the input) over the region.</summary>
    public ReadOnlySpan<float> Lower(int layer) => _lower[CheckLayer(layer)];

    /// <summary>Upper bounds of activation <paramref name="layer"/> (0 = the input) over the region.</summary>
    public ReadOnlySpan<float> Upper(int layer) => _upper[CheckLayer(layer)];

    /// <summary>The lower bounds of the margins z_label − z_j of the last <see cref="ICertifiable.MarginLowerBound"/> (+∞ at j = label).</summary>
    public ReadOnlySpan<double> MarginBounds => Margins;

    /// <summary>For generated code: the bounds of activation <paramref name="layer"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Lo(int layer) => _lower[layer];

    /// <summary>For generated code: the bounds of activation <paramref name="layer"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Hi(int layer) => _upper[layer];

    /// <summary>For generated code: <paramref name="rows"/> rows of the backward pass at activation <paramref name="layer"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Rows(int layer, int rows) => _rows[layer].AsSpan(0, rows * _lengths[layer]);

    /// <summary>For generated code: the constant terms of the rows of the backward pass.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<double> Constants(int rows) => _constants.AsSpan(0, rows);

    /// <summary>For generated code: the concretised lower bounds of the rows of the backward pass.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<double> RowBounds(int rows) => _rowBounds.AsSpan(0, rows);

    /// <summary>For generated code: the centre of the region.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ReadOnlySpan<float> Input => _input;

    /// <summary>For generated code: scratch of the widest activation (interval centres).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Mid(int length) => _mid.AsSpan(0, length);

    /// <summary>For generated code: scratch of the widest activation (interval radii).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Radius(int length) => _radius.AsSpan(0, length);

    /// <summary>For generated code: convolution scratch.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Columns => _columns;

    /// <summary>
    /// For generated code: the window of activation <paramref name="layer"/> (as height and width ranges y0, y1, x0, x1,
    /// ends exclusive, every channel) outside which the rows of the current windowed backward pass are zero; written by
    /// the kernel that fills the rows there and read by the kernel below it. Rows outside the window are not cleared.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<int> Window(int layer) => _windows.AsSpan(4 * layer, 4);

    /// <summary>For generated code: the neurons whose bounds windowed rows refine, in position-major order (<c>BoundKernels.PositionOrder</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<int> Order => _order;

    /// <summary>For generated code: scratch of four input lengths (a windowed row, centre and box gathered at the input).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> Gather => _gather;

    /// <summary>
    /// For generated code: scratch of at least <paramref name="length"/> floats for windowed convolution passes, made on
    /// first use and kept (its size depends on the row chunk and the windows, not on the example).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Span<float> WindowScratch(int length)
    {
        if (_windowScratch.Length < length) _windowScratch = new float[length];
        return _windowScratch.AsSpan(0, length);
    }

    /// <summary>
    /// Extra backward passes of <see cref="ICertifiable.MarginLowerBound"/> under CROWN, each with the activations'
    /// relaxations re-touched at the input that attains the smallest margin bound of the previous pass (the slope choice
    /// α-CROWN optimises, made at that point); the largest bound of each margin is kept, so more passes never loosen
    /// it. 0 (the default) is plain CROWN.
    /// </summary>
    public int MarginRefinements
    {
        get => _marginRefinements;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _marginRefinements = value;
        }
    }

    private int _marginRefinements;

    /// <summary>
    /// Projected gradient steps under CROWN on the activations' relaxation parameters (α-CROWN: sigmoid and tanh tangent
    /// points, the lower slopes of unstable ReLUs), one set per row: of every margin in
    /// <see cref="ICertifiable.MarginLowerBound"/> (after the <see cref="MarginRefinements"/> passes), and of every
    /// intermediate bound of a dense layer in <see cref="ICertifiable.PropagateBounds"/>. Each row starts at its own
    /// minimiser and keeps its tightest bound. 0 (the default) takes none. See docs/certification.md.
    /// </summary>
    public int SlopeSteps
    {
        get => _slopeSteps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _slopeSteps = value;
        }
    }

    private int _slopeSteps;

    /// <summary>The margin bounds (written by <see cref="Generated.BoundKernels"/>).</summary>
    internal double[] Margins { get; }

    /// <summary>Scratch for the network's outputs of one example (the certifier's prediction).</summary>
    internal float[] Outputs { get; }

    /// <summary>
    /// For generated code: starts a propagation. Checks the arguments, keeps the centre and the region and writes the
    /// bounds of the input: the box intersected with [x − ε, x + ε].
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Begin(ReadOnlySpan<float> x, InputRegion region, BoundMethod method)
    {
        region.Validate();
        if (method is not (BoundMethod.Crown or BoundMethod.CrownInterval or BoundMethod.Interval)) throw new ArgumentException($"Unknown bound method {(int)method}.", nameof(method));
        if (x.Length != _lengths[0]) throw new ArgumentException($"The input has {x.Length} values; the network takes {_lengths[0]}.", nameof(x));
        float boxLower = (float)region.BoxLower, boxUpper = (float)region.BoxUpper, eps = (float)region.Epsilon;
        Span<float> lo = _lower[0], hi = _upper[0];
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (!(v >= boxLower && v <= boxUpper)) throw new ArgumentException($"Input value {i} is {v}, outside the box [{region.BoxLower}, {region.BoxUpper}].", nameof(x));
            lo[i] = MathF.Max(boxLower, v - eps);
            hi[i] = MathF.Min(boxUpper, v + eps);
        }

        x.CopyTo(_input);
        Region = region;
        Method = method;
        _propagated = true;
    }

    /// <summary>For generated code: throws unless bounds have been propagated.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void EnsurePropagated()
    {
        if (!_propagated) throw new InvalidOperationException("No bounds yet: call PropagateBounds with this workspace first.");
    }

    private int CheckLayer(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layer, LogitsLayer);
        return layer;
    }
}
