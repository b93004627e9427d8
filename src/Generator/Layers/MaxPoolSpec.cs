using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[MaxPool(size)]</c>, <c>[MaxPool(size, stride)]</c>: the maximum of each channel's windows, possibly overlapping (<c>Intriguing.Layers.MaxPooling</c>).</summary>
[Reads("Intriguing.MaxPoolAttribute")]
internal sealed record MaxPoolSpec(int Size, int Stride) : PoolSpec(Size, Stride)
{
    public override LayerKind Kind => LayerKind.MaxPool;

    /// <summary><c>[MaxPool(size)]</c> has stride = size.</summary>
    public static LayerSpec? Read(LayerAttribute a) => TryReadWindow(a, out int size, out int stride) ? new MaxPoolSpec(size, stride) : null;

    protected override bool CountsCover => true;

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.MaxPooling.BoundText(layer.Shape.Cover);

    public override string Lipschitz(LayerModel layer) => Kernels + ".MaxPooling.Lipschitz(" + Geometry(layer) + ")";

    public override string ForwardMath(LayerModel l)
        => "y[c,i,j] = max over the " + I(l.Shape.Kernel) + "×" + I(l.Shape.Kernel) + " window at (" + I(l.Shape.Stride) + "i, " + I(l.Shape.Stride) + "j); the winner's index is kept for the backward pass.";

    public override string BackwardMath(LayerModel layer) => "dx[winner] += dy for every window.";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".MaxPooling.Forward(" + Geometry(l) + ", " + A(l.Index - 1) + ", " + A(l.Index) + ", ws.Argmax" + I(l.Index) + "(batch), batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".MaxPooling.Backward(" + Geometry(l) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", ws.Argmax" + I(l.Index) + "(batch), batch);");

    public override void EmitWorkspaceFields(SourceWriter w, LayerModel l) => w.Line("private readonly int[] _argmax" + I(l.Index) + ";");

    public override void EmitWorkspaceAllocation(SourceWriter w, LayerModel l)
        => w.Line("_argmax" + I(l.Index) + " = new int[" + Guard + ".BufferLength((long)maxBatch * " + I(l.OutputLength) + ")];");

    public override void EmitWorkspaceAccessors(SourceWriter w, LayerModel l)
    {
        w.Line("/// <summary>Index (within its sample) of the input that won each output of layer " + I(l.Index) + " in the last forward pass.</summary>");
        w.Line("internal global::System.Span<int> Argmax" + I(l.Index) + "(int batch) => new(_argmax" + I(l.Index) + ", 0, batch * " + I(l.OutputLength) + ");");
        w.Line();
    }

    public override BoundRole BoundRole => BoundRole.Relaxed;

    public override void EmitBoundFields(SourceWriter w, LayerModel l)
    {
        w.Line("internal readonly int[] _winner" + I(l.Index) + " = new int[" + I(l.OutputLength) + "];");
        w.Line("internal readonly bool[] _exact" + I(l.Index) + " = new bool[" + I(l.OutputLength) + "];");
    }

    public override void EmitInterval(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".MaxPooling.Relax(" + Geometry(l) + ", " + Lo(l.Index - 1) + ", " + Hi(l.Index - 1) + ", " + Lo(l.Index) + ", " + Hi(l.Index) + ", bw._winner" + I(l.Index) + ", bw._exact" + I(l.Index) + ");");

    public override void EmitBackSubstitute(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".MaxPooling.BackSubstitute(" + Geometry(l) + ", " + Rows(l.Index) + ", " + Rows(l.Index - 1) + ", bw._winner" + I(l.Index) + ", bw._exact" + I(l.Index) + ", " + Hi(l.Index) + ", bw.Constants(rows), rows);");

    public override void EmitRelaxedForward(SourceWriter w, LayerModel l, string rows)
        => w.Line(Kernels + ".MaxPooling.RelaxedForward(" + Geometry(l) + ", bw.Rows(" + I(l.Index) + ", " + rows + "), Activation(fw, " + I(l.Index - 1) + ", " + rows + "), Activation(fw, " + I(l.Index) + ", " + rows + "), bw._winner" + I(l.Index) + ", bw._exact" + I(l.Index) + ", " + Hi(l.Index) + ", " + rows + ");");

    public override bool HasRowWindow(LayerModel l) => l.Shape.OutImage;

    public override void EmitBackSubstituteWindow(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".MaxPooling.BackSubstituteWindow(" + Geometry(l) + ", bw, " + I(l.Index) + ", " + I(l.Index - 1) + ", bw._winner" + I(l.Index) + ", bw._exact" + I(l.Index) + ", rows);");
}
