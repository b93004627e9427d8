using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[Dropout(p)]</c>: the identity at inference; in training a counter-keyed mask scaled by 1/(1 − p) (<c>Intriguing.Layers.Dropout</c>).</summary>
[Reads("Intriguing.DropoutAttribute")]
internal sealed record DropoutSpec(double Rate) : LayerSpec
{
    public override LayerKind Kind => LayerKind.Dropout;

    public override bool UsesTrainingMasks => true;

    public override string Written => "Dropout(" + R(Rate) + ")";

    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length != 1 ? null : new DropoutSpec(a.DoubleArgument(0));

    public override LayerOutput Infer(ShapeContext context)
    {
        // p = 1 would scale by 1/0; a p that rounds to 1 as a float does too.
        if (!(Rate >= 0 && Rate < 1 && (float)Rate < 1f))
        {
            context.Report(DiagnosticDescriptors.InvalidDropout, context.Layer.Argument(0), context.Index, R(Rate));
            return context.Same(ok: false);
        }

        return context.Same();
    }

    public override string Describe(LayerModel layer) => "Dropout " + R(Rate);

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.Dropout.BoundText();

    public override string Lipschitz(LayerModel layer) => Kernels + ".Dropout.Lipschitz()";

    public override string SummaryArguments(LayerModel layer) => ", DropoutRate: " + Dbl(Rate) + InputBox;

    public override string ForwardMath(LayerModel layer)
        => "p = " + R(Rate) + "; y = x at inference; in training y = x ⊙ m / (1 − p), m_i ~ Bernoulli(1 − p) from a counter-based hash.";

    public override string BackwardMath(LayerModel layer) => "dx = dy ⊙ m / (1 − p) with the mask of the forward pass (dx = dy at inference).";

    public override void EmitForward(SourceWriter w, LayerModel l)
    {
        w.Line("if (ws.Masked) " + Kernels + ".Dropout.Forward(" + A(l.Index - 1) + ", " + A(l.Index) + ", batch, " + I(l.OutputLength) + ", " + Flt(Rate) + ", ws.TrainingSeed, ws.TrainingStep, ws.SampleOffset, " + I(l.Index) + ");");
        w.Line("else " + A(l.Index - 1) + ".CopyTo(" + A(l.Index) + ");");
    }

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
    {
        using (w.OpenBlock("if (" + needDelta + ")"))
        {
            w.Line("if (ws.Masked) " + Kernels + ".Dropout.Backward(" + D(l.Index) + ", " + D(l.Index - 1) + ", batch, " + I(l.OutputLength) + ", " + Flt(Rate) + ", ws.TrainingSeed, ws.TrainingStep, ws.SampleOffset, " + I(l.Index) + ");");
            w.Line("else " + D(l.Index) + ".CopyTo(" + D(l.Index - 1) + ");");
        }
    }

    public override BoundRole BoundRole => BoundRole.Identity;

    public override void EmitInterval(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dropout.IntervalForward(" + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ");");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dropout.BackSubstitute(" + Rows(l.Index) + ", " + Rows(l.Index - 1) + ", rows, " + I(l.OutputLength) + ");");

    public override bool HasRowWindow(LayerModel l) => l.Shape.OutImage;

    public override void EmitBackSubstituteWindow(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Dropout.BackSubstituteWindow(bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", rows, " + I(l.Shape.OutC) + ", " + I(l.Shape.OutH) + ", " + I(l.Shape.OutW) + ");");
}
