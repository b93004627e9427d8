using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[AvgPool(size)]</c>, <c>[AvgPool(size, stride)]</c>: the mean of each channel's windows, possibly overlapping (<c>Intriguing.Layers.AveragePooling</c>).</summary>
[Reads("Intriguing.AvgPoolAttribute")]
internal sealed record AvgPoolSpec(int Size, int Stride) : PoolSpec(Size, Stride)
{
    public override LayerKind Kind => LayerKind.AvgPool;

    /// <summary><c>[AvgPool(size)]</c> has stride = size.</summary>
    public static LayerSpec? Read(LayerAttribute a) => TryReadWindow(a, out int size, out int stride) ? new AvgPoolSpec(size, stride) : null;

    /// <summary>k² additions per output.</summary>
    public override long MultiplyAdds(LayerModel l) => (long)l.OutputLength * l.Shape.Kernel * l.Shape.Kernel;

    public override string BoundText(LayerModel l) => global::Intriguing.Layers.AveragePooling.BoundText(l.Shape.Kernel, l.Shape.Stride, l.Shape.OutH, l.Shape.OutW);

    public override string Lipschitz(LayerModel layer) => Kernels + ".AveragePooling.Lipschitz(" + Geometry(layer) + ")";

    public override string ForwardMath(LayerModel l)
        => "y[c,i,j] = mean over the " + I(l.Shape.Kernel) + "×" + I(l.Shape.Kernel) + " window at (" + I(l.Shape.Stride) + "i, " + I(l.Shape.Stride) + "j).";

    public override string BackwardMath(LayerModel l) => "dx[window] += dy / " + I(l.Shape.Kernel * l.Shape.Kernel) + " for every window.";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".AveragePooling.Forward(" + Geometry(l) + ", " + A(l.Index - 1) + ", " + A(l.Index) + ", batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".AveragePooling.Backward(" + Geometry(l) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", batch);");

    public override BoundRole BoundRole => BoundRole.Linear;

    public override void EmitInterval(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".AveragePooling.IntervalForward(" + Geometry(l) + ", " + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ");");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".AveragePooling.BackSubstitute(" + Geometry(l) + ", " + Rows(l.Index) + ", " + Rows(l.Index - 1) + ", rows);");
}
