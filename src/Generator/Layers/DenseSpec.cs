using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[Dense(units, WeightDecay = λ, Bias = true)]</c>: y = x·Wᵀ + b over a flat (or flattened) input.</summary>
[Reads("Intriguing.DenseAttribute")]
internal sealed record DenseSpec(int Units, double WeightDecay, bool Bias) : LayerSpec
{
    public override LayerKind Kind => LayerKind.Dense;

    public override string Written => "Dense(" + I(Units) + ")";

    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length != 1
        ? null
        : new DenseSpec(a.IntArgument(0), a.NamedValue("WeightDecay", 0.0), a.NamedValue("Bias", true));

    public override LayerOutput Infer(ShapeContext context)
    {
        bool ok = true, known = context.ShapeKnown;
        long length = Units;
        if (!context.Positive(Units, $"Units of layer {context.Index} (Dense)", context.Layer.Argument(0)))
        {
            ok = false;
            known = false;
            length = 1;
        }

        ok &= context.CheckWeightDecay(WeightDecay);
        return new LayerOutput(ok, known, (int)length, 1, 1, false, length);
    }

    public override string DenseStackEntry(LayerModel l)
        => "Kind = " + StackKind + "Dense, " + StackShape(l) + ", WeightsOffset = " + l.Name + "WeightsOffset, BiasOffset = " + (l.HasBias ? l.Name + "BiasOffset" : "-1") + ", WeightDecay = " + Flt(l.WeightDecay);

    public override ParameterRequest Parameters(LayerShape shape, long inputLength, long outputLength) => new(
        outputLength * inputLength, Bias ? outputLength : 0, inputLength, outputLength, I64(inputLength), I64(outputLength), WeightDecay);

    public override long MultiplyAdds(LayerModel layer) => (long)layer.OutputLength * layer.InputLength;

    public override string Describe(LayerModel layer) => "Dense " + I(layer.OutputLength);

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.Dense.BoundText();

    public override string Lipschitz(LayerModel layer) => Kernels + ".Dense.Lipschitz()";

    public override string LipschitzBound(LayerModel l) => Kernels + ".Dense.Bound(layer, " + l.Name + "Weights, " + I(l.OutputLength) + ", " + I(l.InputLength) + ", options)";

    public override string ForwardMath(LayerModel layer)
        => (layer.HasBias ? "y = x·Wᵀ + b" : "y = x·Wᵀ") + ", W: " + I(layer.OutputLength) + " × " + I(layer.InputLength) + ".";

    public override string BackwardMath(LayerModel layer) => "dW = dYᵀ·X" + (layer.HasBias ? ", db = Σ_samples dY" : "") + ", dX = dY·W.";

    public override void EmitForward(SourceWriter w, LayerModel l)
    {
        w.Line(Gemm + ".MultiplyABt(" + A(l.Index - 1) + ", " + l.Name + "Weights, " + A(l.Index) + ", batch, " + I(l.OutputLength) + ", " + I(l.InputLength) + ");");
        if (l.HasBias) w.Line(Kernels + ".Dense.AddBias(" + A(l.Index) + ", " + l.Name + "Bias, batch);");
    }

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
    {
        using (w.OpenBlock("if (!gradient.IsEmpty)"))
        {
            w.Line(Gemm + ".MultiplyAtB(" + D(l.Index) + ", " + A(l.Index - 1) + ", gradient.Slice(" + l.Name + "WeightsOffset, " + I(l.WeightCount) + "), " + I(l.OutputLength) + ", " + I(l.InputLength) + ", batch);");
            if (l.HasBias) w.Line(Kernels + ".Dense.SumRows(" + D(l.Index) + ", gradient.Slice(" + l.Name + "BiasOffset, " + I(l.OutputLength) + "), batch);");
        }

        w.Line("if (" + needDelta + ") " + Gemm + ".MultiplyAB(" + D(l.Index) + ", " + l.Name + "Weights, " + D(l.Index - 1) + ", batch, " + I(l.InputLength) + ", " + I(l.OutputLength) + ");");
    }

    public override BoundRole BoundRole => BoundRole.Linear;

    public override void EmitInterval(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dense.IntervalForward(" + l.Name + "Weights, " + BiasOrDefault(l) + ", " + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ", bw.Mid(" + I(l.InputLength) + "), bw.Radius(" + I(l.InputLength) + "), " + I(l.OutputLength) + ", " + I(l.InputLength) + ");");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dense.BackSubstitute(" + Rows(l.Index) + ", " + l.Name + "Weights, " + BiasOrDefault(l) + ", " + Rows(l.Index - 1) + ", bw.Constants(rows), rows, " + I(l.OutputLength) + ", " + I(l.InputLength) + ");");

    public override bool SeedsBelow => true;

    public override void EmitSeedIdentity(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dense.SeedIdentity(" + l.Name + "Weights, " + BiasOrDefault(l) + ", " + Rows(l.Index - 1) + ", bw.Constants(rows), start, rows, " + I(l.OutputLength) + ", " + I(l.InputLength) + ");");

    public override bool SeedsOrdered => true;

    public override void EmitSeedOrdered(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dense.SeedOrdered(" + l.Name + "Weights, " + BiasOrDefault(l) + ", " + Rows(l.Index - 1) + ", bw.Constants(rows), bw.Order, start, rows, " + I(l.InputLength) + ");");

    public override void EmitSeedMargins(SourceWriter w, LayerModel l)
        => w.Line("int rows = " + Kernels + ".Dense.SeedMargins(" + l.Name + "Weights, " + BiasOrDefault(l) + ", bw.Rows(" + I(l.Index - 1) + ", " + I(l.OutputLength - 1) + "), bw.Constants(" + I(l.OutputLength - 1) + "), label, " + I(l.OutputLength) + ", " + I(l.InputLength) + ");");

    private static string I64(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
