using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[Softmax]</c>: the numerically stable soft-max of each sample; last layer only (the analyzer checks that).</summary>
[Reads("Intriguing.SoftmaxAttribute")]
internal sealed record SoftmaxSpec : LayerSpec
{
    public override LayerKind Kind => LayerKind.Softmax;

    public override bool IsActivation => true;

    public static LayerSpec? Read(LayerAttribute a) => new SoftmaxSpec();

    public override string DenseStackEntry(LayerModel l) => "Kind = " + StackKind + "Softmax, " + StackShape(l);

    public override LayerOutput Infer(ShapeContext context)
    {
        if (context.Length == 1 && context.ShapeKnown)
        {
            context.Report(DiagnosticDescriptors.SingleUnitSoftmax, context.Layer.Location, context.Index);
        }

        return context.Same();
    }

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.Softmax.BoundText();

    public override string SummaryArguments(LayerModel layer) => Box(0, 1);

    public override string Lipschitz(LayerModel layer) => Kernels + ".Softmax.Lipschitz()";

    public override string ForwardMath(LayerModel layer) => "y_i = e^(x_i − max x) / Σ_j e^(x_j − max x), per sample.";

    public override string BackwardMath(LayerModel layer) => "dx = p ⊙ (dy − ⟨dy, p⟩), per sample.";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".Softmax.Forward(" + A(l.Index - 1) + ", " + A(l.Index) + ", batch, " + I(l.OutputLength) + ");");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".Softmax.Backward(" + A(l.Index) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", batch, " + I(l.OutputLength) + ");");

    public override BoundRole BoundRole => BoundRole.Output;
}
