using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[AvgPool(size)]</c>, <c>[AvgPool(size, stride)]</c>: the mean of each channel's windows, possibly overlapping (<c>Intriguing.Layers.AveragePooling</c>).</summary>
[Reads("Intriguing.AvgPoolAttribute")]
internal sealed record AvgPoolSpec(int Size, int Stride) : WindowSpec
{
    public override LayerKind Kind => LayerKind.AvgPool;

    public override int Window => Size;

    public override int Step => Stride;

    public override string Written => string.Format(System.Globalization.CultureInfo.InvariantCulture, "AvgPool({0}, stride {1})", Size, Stride);

    /// <summary><c>[AvgPool(size)]</c> has stride = size.</summary>
    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length is not (1 or 2)
        ? null
        : new AvgPoolSpec(a.IntArgument(0), a.IntArgument(a.Arguments.Length - 1));

    protected override string WindowWhat(int index) => $"Size of layer {index} (AvgPool)";

    protected override int WindowArgument => 0;

    protected override LocationInfo? StrideLocation(ParsedLayer layer) => layer.ArgumentLocations.Count == 1 ? layer.Argument(0) : layer.Argument(1);

    protected override int OutputChannels(int inputChannels) => inputChannels;

    /// <summary>k² additions per output.</summary>
    public override long MultiplyAdds(LayerModel l) => (long)l.OutputLength * l.Shape.Kernel * l.Shape.Kernel;

    public override string Describe(LayerModel layer) => "AvgPool " + layer.OutputShape;

    public override string BoundText(LayerModel l) => global::Intriguing.Layers.AveragePooling.BoundText(l.Shape.Kernel, l.Shape.Stride, l.Shape.OutH, l.Shape.OutW);

    public override string Lipschitz(LayerModel layer) => Kernels + ".AveragePooling.Lipschitz(" + Geometry(layer) + ")";

    public override string ForwardMath(LayerModel l)
        => "y[c,i,j] = mean over the " + I(l.Shape.Kernel) + "×" + I(l.Shape.Kernel) + " window at (" + I(l.Shape.Stride) + "i, " + I(l.Shape.Stride) + "j).";

    public override string BackwardMath(LayerModel l) => "dx[window] += dy / " + I(l.Shape.Kernel * l.Shape.Kernel) + " for every window.";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".AveragePooling.Forward(" + Geometry(l) + ", " + A(l.Index - 1) + ", " + A(l.Index) + ", batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".AveragePooling.Backward(" + Geometry(l) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", batch);");
}
