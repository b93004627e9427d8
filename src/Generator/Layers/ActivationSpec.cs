using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[Sigmoid]</c>, <c>[ReLU]</c>, <c>[Tanh]</c>: element-wise nonlinearities (<c>Intriguing.Activations</c> runs them).</summary>
[Reads("Intriguing.SigmoidAttribute")]
[Reads("Intriguing.ReLUAttribute")]
[Reads("Intriguing.TanhAttribute")]
internal sealed record ActivationSpec(LayerKind Function) : LayerSpec
{
    public override LayerKind Kind => Function;

    public override bool IsActivation => true;

    public static LayerSpec? Read(LayerAttribute a) => new ActivationSpec(a.MetadataName switch
    {
        "Intriguing.SigmoidAttribute" => LayerKind.Sigmoid,
        "Intriguing.ReLUAttribute" => LayerKind.ReLU,
        _ => LayerKind.Tanh,
    });

    public override string DenseStackEntry(LayerModel l) => "Kind = " + StackKind + Function + ", " + StackShape(l);

    public override LayerOutput Infer(ShapeContext context) => context.Same();

    public override string BoundText(LayerModel layer) => Function switch
    {
        LayerKind.Sigmoid => global::Intriguing.Layers.Activation.SigmoidBoundText(),
        LayerKind.ReLU => global::Intriguing.Layers.Activation.ReLUBoundText(),
        _ => global::Intriguing.Layers.Activation.TanhBoundText(),
    };

    public override string SummaryArguments(LayerModel layer) => Function switch
    {
        LayerKind.Sigmoid => Box(0, 1),
        LayerKind.ReLU => Box(0, double.PositiveInfinity),
        _ => Box(-1, 1),
    };

    public override string Lipschitz(LayerModel layer) => Kernels + ".Activation." + Function + "Lipschitz()";

    public override string ForwardMath(LayerModel layer) => Function switch
    {
        LayerKind.Sigmoid => "y = σ(x) = 1 / (1 + e^(−x)).",
        LayerKind.ReLU => "y = max(0, x).",
        _ => "y = tanh(x).",
    };

    public override string BackwardMath(LayerModel layer) => Function switch
    {
        LayerKind.Sigmoid => "dx = dy ⊙ y ⊙ (1 − y).",
        LayerKind.ReLU => "dx = dy where y > 0, else 0.",
        _ => "dx = dy ⊙ (1 − y²).",
    };

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Activation." + Function + "(" + A(l.Index - 1) + ", " + A(l.Index) + ");");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".Activation." + Function + "Backward(" + A(l.Index) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ");");

    public override BoundRole BoundRole => BoundRole.Relaxed;

    public override void EmitBoundFields(SourceWriter w, LayerModel l)
        => w.Line("internal readonly float[] _relax" + I(l.Index) + " = new float[" + I(4 * l.InputLength) + "];");

    public override void EmitInterval(SourceWriter w, LayerModel l)
    {
        w.Line(Kernels + ".Activation." + Function + "Interval(" + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ");");
        w.Line("if (relax) " + Kernels + ".Activation." + Function + "Relax(" + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", bw._relax" + I(l.Index) + ");");
    }

    public override bool Retouchable => true;

    public override void EmitRetouch(SourceWriter w, LayerModel l, string touch)
        => w.Line(Kernels + ".Activation." + Function + "Retouch(" + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + touch + ", bw._relax" + I(l.Index) + ");");

    public override void EmitRelax(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Activation." + Function + "Relax(" + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", bw._relax" + I(l.Index) + ");");

    public override string? SlopeFunction => "global::Intriguing.Generated.SlopeFunction." + Function;

    public override void EmitRelaxedForward(SourceWriter w, LayerModel l, string rows)
        => w.Line("global::Intriguing.Generated.SlopeKernels.RelaxedForward(bw.Rows(" + I(l.Index) + ", " + rows + "), bw._lines" + I(l.Index) + "!, Activation(fw, " + I(l.Index - 1) + ", " + rows + "), Activation(fw, " + I(l.Index) + ", " + rows + "), " + rows + ", " + I(l.InputLength) + ");");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
    {
        // Margin passes with optimised slopes give every row lines of its own.
        w.Line("if (bw._rowSlopes) " + Kernels + ".Activation.BackSubstituteRows(" + Rows(l.Index) + ", bw._lines" + I(l.Index) + "!, " + Rows(l.Index - 1) + ", bw.Constants(rows), rows, " + I(l.InputLength) + ");");
        w.Line("else " + Kernels + ".Activation.BackSubstitute(" + Rows(l.Index) + ", bw._relax" + I(l.Index) + ", " + Rows(l.Index - 1) + ", bw.Constants(rows), rows, " + I(l.InputLength) + ");");
    }

    public override bool HasRowWindow(LayerModel l) => l.Shape.OutImage;

    public override void EmitBackSubstituteWindow(SourceWriter w, LayerModel l)
    {
        string shape = I(l.Shape.OutC) + ", " + I(l.Shape.OutH) + ", " + I(l.Shape.OutW);
        w.Line("if (bw._rowSlopes) " + Kernels + ".Activation.BackSubstituteWindowRows(bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", bw._lines" + I(l.Index) + "!, rows, " + shape + ");");
        w.Line("else " + Kernels + ".Activation.BackSubstituteWindow(bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", bw._relax" + I(l.Index) + ", rows, " + shape + ");");
    }

    public override bool ZeroWhereNonpositive => Function == LayerKind.ReLU;
}
