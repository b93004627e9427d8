using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary>
/// What the pooling layers share: <c>[XPool(size)]</c> (stride = size) or <c>[XPool(size, stride)]</c>, the window
/// moved over each channel on its own, so the output keeps the input's channels.
/// </summary>
internal abstract record PoolSpec(int Size, int Stride) : WindowSpec
{
    public override int Window => Size;

    public override int Step => Stride;

    public override string Written => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}({1}, stride {2})", Kind, Size, Stride);

    /// <summary>The size and the stride of a one- or two-argument pooling attribute; false for any other count.</summary>
    protected static bool TryReadWindow(LayerAttribute a, out int size, out int stride)
    {
        size = stride = 0;
        if (a.Arguments.Length is not (1 or 2)) return false;
        size = a.IntArgument(0);
        stride = a.IntArgument(a.Arguments.Length - 1);
        return true;
    }

    protected override string WindowWhat(int index) => $"Size of layer {index} ({Kind})";

    protected override int WindowArgument => 0;

    protected override LocationInfo? StrideLocation(ParsedLayer layer) => layer.ArgumentLocations.Count == 1 ? layer.Argument(0) : layer.Argument(1);

    protected override int OutputChannels(int inputChannels) => inputChannels;

    public override string Describe(LayerModel layer) => Kind + " " + layer.OutputShape;
}
