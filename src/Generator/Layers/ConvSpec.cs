using System;
using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary>
/// <c>[Conv(filters, kernel, stride, padding, Mode = Padding.Zero|Circular, WeightDecay = λ, Bias = true)]</c>: 2-D
/// cross-correlation, im2col + GEMM per sample (<c>Intriguing.Layers.Convolution</c>).
/// </summary>
/// <remarks><c>Mode</c> is the <c>Padding</c> value as written: 0 zero, 1 circular, anything else INT025.</remarks>
[Reads("Intriguing.ConvAttribute")]
internal sealed record ConvSpec(int Filters, int Kernel, int Stride, int Padding, bool Circular, double WeightDecay, bool Bias, int Mode = 0) : WindowSpec
{
    public override LayerKind Kind => LayerKind.Conv;

    public override int Window => Kernel;

    public override int Step => Stride;

    public override int Pad => Padding;

    public override bool CircularPadding => Circular;

    public override string Written => string.Format(System.Globalization.CultureInfo.InvariantCulture, "Conv({0}, {1}, stride {2}, padding {3})", Filters, Kernel, Stride, Padding);

    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length != 4
        ? null
        : new ConvSpec(a.IntArgument(0), a.IntArgument(1), a.IntArgument(2), a.IntArgument(3), a.NamedValue("Mode", 0) == 1, a.NamedValue("WeightDecay", 0.0), a.NamedValue("Bias", true), a.NamedValue("Mode", 0));

    protected override string WindowWhat(int index) => $"Kernel of layer {index} (Conv)";

    protected override int WindowArgument => 1;

    protected override LocationInfo? StrideLocation(ParsedLayer layer) => layer.Argument(2);

    protected override int OutputChannels(int inputChannels) => Filters;

    protected override bool NeedsColumns => true;

    protected override bool CheckSizes(ShapeContext context) => context.Positive(Filters, $"Filters of layer {context.Index} (Conv)", context.Layer.Argument(0));

    protected override bool CheckPadding(ShapeContext context, bool sizes)
    {
        if (Mode is not (0 or 1))
        {
            context.Report(DiagnosticDescriptors.UndefinedPaddingMode, context.Layer.Named("Mode"), context.Index, Mode);
            return false;
        }

        if (Padding < 0 || (sizes && Padding >= Kernel))
        {
            context.Report(DiagnosticDescriptors.InvalidPadding, context.Layer.Argument(3), context.Index, Math.Max(Kernel - 1, 0), Padding);
            return false;
        }

        return true;
    }

    protected override bool CheckOther(ShapeContext context) => context.CheckWeightDecay(WeightDecay);

    public override ParameterRequest Parameters(LayerShape shape, long inputLength, long outputLength)
    {
        long kk = (long)shape.Kernel * shape.Kernel;
        string k = I(shape.Kernel);
        return new ParameterRequest(shape.OutC * shape.InC * kk, Bias ? shape.OutC : 0, shape.InC * kk, shape.OutC * kk,
            I(shape.InC) + "·" + k + "·" + k, I(shape.OutC) + "·" + k + "·" + k, WeightDecay);
    }

    public override string WeightShape(LayerModel l) => I(l.Shape.OutC) + " × " + I(l.Shape.InC) + " × " + I(l.Shape.Kernel) + " × " + I(l.Shape.Kernel);

    public override string WeightLayout => "[filters][channels][kernel][kernel], row-major (PyTorch's layout)";

    public override string BiasNote => ", one per filter";

    public override long MultiplyAdds(LayerModel l) => (long)l.OutputLength * l.Shape.InC * l.Shape.Kernel * l.Shape.Kernel;

    /// <summary>Values of one sample's im2col matrix: (C·k·k) × (H′·W′).</summary>
    public override long ScratchLength(LayerModel l) => (long)l.Shape.InC * l.Shape.Kernel * l.Shape.Kernel * l.Shape.OutH * l.Shape.OutW;

    public override string Describe(LayerModel layer) => "Conv " + layer.OutputShape;

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.Convolution.BoundText(layer.Shape.Circular);

    public override string Lipschitz(LayerModel layer) => Kernels + ".Convolution.Lipschitz(" + Geometry(layer) + ")";

    public override string LipschitzBound(LayerModel l) => Kernels + ".Convolution.Bound(layer, " + l.Name + "Weights, " + Geometry(l) + ")";

    public override string ForwardMath(LayerModel l)
        => "y[d,i,j] = " + (l.HasBias ? "b[d] + " : "") + "Σ_c,u,v W[d,c,u,v]·x[c, " + Index(l, "i") + " + u, " + Index(l, "j") + " + v], "
            + (l.Shape.Circular ? "indices mod " + I(l.Shape.InH) + "×" + I(l.Shape.InW) + " (circular)" : "zero outside the input") + "; W: " + WeightShape(l) + "; im2col + GEMM per sample.";

    public override string BackwardMath(LayerModel l)
        => "dW = Σ_samples dY·colᵀ" + (l.HasBias ? ", db = Σ dY over samples and positions" : "") + ", dX = col2im(Wᵀ·dY).";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.Forward(" + Geometry(l) + ", " + A(l.Index - 1) + ", " + l.Name + "Weights, " + (l.HasBias ? l.Name + "Bias" : "default") + ", " + A(l.Index) + ", ws.Columns, batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
    {
        string k = I(l.Index);
        w.Line("bool delta" + k + " = " + needDelta + ";");
        using (w.OpenBlock("if (!gradient.IsEmpty || delta" + k + ")"))
        {
            w.Line(Kernels + ".Convolution.Backward(" + Geometry(l) + ", " + A(l.Index - 1) + ", " + l.Name + "Weights, " + D(l.Index) + ",");
            w.Line("    gradient.IsEmpty ? default : gradient.Slice(" + l.Name + "WeightsOffset, " + I(l.WeightCount) + "),");
            w.Line("    " + (l.HasBias ? "gradient.IsEmpty ? default : gradient.Slice(" + l.Name + "BiasOffset, " + I(l.BiasCount) + ")" : "default") + ",");
            w.Line("    delta" + k + " ? " + D(l.Index - 1) + " : default, ws.Columns, batch);");
        }
    }

    public override BoundRole BoundRole => BoundRole.Linear;

    public override long BoundScratchLength(LayerModel l) => System.Math.Max(ScratchLength(l) + (long)l.Shape.OutC * l.Shape.OutH * l.Shape.OutW, 4L * l.Shape.InC * l.Shape.Kernel * l.Shape.Kernel);

    public override void EmitBoundFields(SourceWriter w, LayerModel l)
        => w.Line("internal readonly float[] _abs" + I(l.Index) + " = new float[" + I(l.WeightCount) + "];");

    public override void EmitInterval(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.IntervalForward(" + Geometry(l) + ", " + l.Name + "Weights, bw._abs" + I(l.Index) + ", " + BiasOrDefault(l) + ", " + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ", bw.Mid(" + I(l.InputLength) + "), bw.Radius(" + I(l.InputLength) + "), bw.Columns);");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.BackSubstitute(" + Geometry(l) + ", " + Rows(l.Index) + ", " + l.Name + "Weights, " + BiasOrDefault(l) + ", " + Rows(l.Index - 1) + ", bw.Constants(rows), bw.Columns, rows);");

    public override bool HasRowWindow(LayerModel l) => !Circular && l.Shape.OutImage;

    public override void EmitBackSubstituteWindow(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.BackSubstituteWindow(" + Geometry(l) + ", bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", " + l.Name + "Weights, " + BiasOrDefault(l) + ", rows);");

    public override bool SeedsPositionsBelow(LayerModel l) => HasRowWindow(l);

    public override void EmitSeedPositionsBelow(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.SeedPositionsBelow(" + Geometry(l) + ", bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", " + l.Name + "Weights, " + BiasOrDefault(l) + ", start, rows);");

    public override bool HasFirstLayerBounds => true;

    public override void EmitFirstLayerBounds(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Convolution.FirstLayerBounds(" + Geometry(l) + ", " + l.Name + "Weights, " + BiasOrDefault(l) + ", bw, " + I(l.Index - 1) + ", " + I(l.Index) + ");");
}
