namespace Intriguing.Reporting;

/// <summary>
/// How one example of any shape is drawn as a tile of an <see cref="ImageGrid"/>: C×H×W images with their channels side by
/// side (one white column between channels), H×W images as they are, and vectors of n values as bar charts n wide.
/// Values are mapped from [low, high] to white…black.
/// </summary>
internal sealed class ExampleTiles
{
    private const int BarHeight = 32;
    private readonly int _c, _h, _w;
    private readonly float _low, _high;

    /// <exception cref="ArgumentException">The shape is not (n), (H, W) or (C, H, W) with positive sizes, or the range is empty or not finite.</exception>
    public ExampleTiles(IReadOnlyList<int> shape, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count is < 1 or > 3 || shape.Any(d => d < 1)) throw new ArgumentException("The shape must be (n), (H, W) or (C, H, W) with positive sizes.", nameof(shape));
        if (!(low < high) || !float.IsFinite(low) || !float.IsFinite(high)) throw new ArgumentException($"The range [{low}, {high}] must be finite and not empty.", nameof(low));
        Length = shape.Aggregate(1, (a, b) => a * b);
        Bars = shape.Count == 1;
        (_c, _h, _w) = shape.Count switch { 1 => (1, BarHeight, shape[0]), 2 => (1, shape[0], shape[1]), _ => (shape[0], shape[1], shape[2]) };
        Width = (_c * _w) + (_c - 1);
        Height = _h;
        _low = low;
        _high = high;
    }

    /// <summary>Values per example.</summary>
    public int Length { get; }

    /// <summary>Whether examples are vectors drawn as bars.</summary>
    public bool Bars { get; }

    /// <summary>Tile width in pixels.</summary>
    public int Width { get; }

    /// <summary>Tile height in pixels.</summary>
    public int Height { get; }

    /// <summary>The tile of <paramref name="values"/> on [0, 1] (0 white); a difference's bars start from the middle.</summary>
    public float[] Render(ReadOnlySpan<float> values, bool difference = false)
    {
        if (values.Length != Length) throw new ArgumentException($"An example has {values.Length} values; the shape holds {Length}.", nameof(values));
        float[] tile = new float[Width * Height];
        if (Bars)
        {
            // Column i is a bar from the bottom up to the value's height on [low, high] (the difference: from the middle).
            for (int i = 0; i < _w; i++)
            {
                float v = Math.Clamp((values[i] - _low) / (_high - _low), 0f, 1f);
                int top = (int)Math.Round((1 - v) * (_h - 1));
                int from = difference ? Math.Min(top, _h / 2) : top, to = difference ? Math.Max(top, _h / 2) : _h - 1;
                for (int y = from; y <= to; y++) tile[(y * Width) + i] = 1f;
            }

            return tile;
        }

        // Channel k occupies columns k·(W + 1) … k·(W + 1) + W − 1; the column between channels stays white.
        for (int k = 0; k < _c; k++)
        {
            for (int y = 0; y < _h; y++)
            {
                for (int x = 0; x < _w; x++) tile[(y * Width) + (k * (_w + 1)) + x] = (values[(k * _h * _w) + (y * _w) + x] - _low) / (_high - _low);
            }
        }

        return tile;
    }
}
