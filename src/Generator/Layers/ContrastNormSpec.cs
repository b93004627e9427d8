using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[ContrastNorm(ε, γ)]</c>: the paper's x / (ε + ‖x‖²)^γ across the channels at each position (<c>Intriguing.Layers.Normalization</c>).</summary>
[Reads("Intriguing.ContrastNormAttribute")]
internal sealed record ContrastNormSpec(double Epsilon, double Gamma) : LayerSpec
{
    public override LayerKind Kind => LayerKind.ContrastNorm;

    public override bool HasGeometry => true;

    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length != 2 ? null : new ContrastNormSpec(a.DoubleArgument(0), a.DoubleArgument(1));

    public override LayerOutput Infer(ShapeContext context)
    {
        bool ok = context.CheckParameter(Epsilon > 0 && ShapeContext.Finite(Epsilon) && (float)Epsilon > 0, "Epsilon", "positive and finite", Epsilon, 0);
        ok &= context.CheckParameter(Gamma >= 0 && ShapeContext.Finite(Gamma), "Gamma", "finite and non-negative", Gamma, 1);
        return context.Same(ok);
    }

    /// <summary>Twice the input of one sample: the per-position sums and powers.</summary>
    public override long ScratchLength(LayerModel layer) => 2L * layer.InputLength;

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.ContrastNorm.BoundText(Epsilon, Gamma);

    public override string Lipschitz(LayerModel layer) => Kernels + ".ContrastNorm.Lipschitz(" + Dbl(Epsilon) + ", " + Dbl(Gamma) + ")";

    public override string SummaryArguments(LayerModel layer)
        => ", Geometry: " + Geometry(layer) + ", Norm: new global::Intriguing.NormParameters(Epsilon: " + Dbl(Epsilon) + ", Gamma: " + Dbl(Gamma) + ")";

    public override string ForwardMath(LayerModel layer) => "y = x / (ε + ‖x‖²)^γ over the channels at each position, ε = " + R(Epsilon) + ", γ = " + R(Gamma) + ".";

    public override string BackwardMath(LayerModel layer) => "dx = s^(−γ)·dy − 2γ·s^(−γ−1)·⟨x, dy⟩·x per position, s = ε + ‖x‖².";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".ContrastNorm.Forward(" + Geometry(l) + ", " + Flt(Epsilon) + ", " + Flt(Gamma) + ", " + A(l.Index - 1) + ", " + A(l.Index) + ", ws.Columns, batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".ContrastNorm.Backward(" + Geometry(l) + ", " + Flt(Epsilon) + ", " + Flt(Gamma) + ", " + A(l.Index - 1) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", ws.Columns, batch);");
}
