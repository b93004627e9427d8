using System;
using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary><c>[LocalResponseNorm(size, k, α, β)]</c>: AlexNet's x[c] / (k + α·Σ_window x²)^β across channels (<c>Intriguing.Layers.Normalization</c>).</summary>
[Reads("Intriguing.LocalResponseNormAttribute")]
internal sealed record LocalResponseNormSpec(int Size, double K, double Alpha, double Beta) : LayerSpec
{
    public override LayerKind Kind => LayerKind.LocalResponseNorm;

    public override bool HasGeometry => true;

    public static LayerSpec? Read(LayerAttribute a) => a.Arguments.Length != 4
        ? null
        : new LocalResponseNormSpec(a.IntArgument(0), a.DoubleArgument(1), a.DoubleArgument(2), a.DoubleArgument(3));

    public override LayerOutput Infer(ShapeContext context)
    {
        bool ok = true;
        if (Size < 1 || Size % 2 == 0)
        {
            context.Report(DiagnosticDescriptors.InvalidNormParameter, context.Layer.Argument(0), "Size", context.Index, "LocalResponseNorm", "odd and positive", Size);
            ok = false;
        }

        ok &= context.CheckParameter(K > 0 && ShapeContext.Finite(K) && (float)K > 0, "K", "positive and finite", K, 1);
        ok &= context.CheckParameter(Alpha >= 0 && ShapeContext.Finite(Alpha), "Alpha", "finite and non-negative", Alpha, 2);
        ok &= context.CheckParameter(Beta >= 0 && ShapeContext.Finite(Beta), "Beta", "finite and non-negative", Beta, 3);
        LayerOutput same = context.Same(ok);
        return same with { Kernel = Math.Max(Size, 1) };
    }

    /// <summary>Twice the input of one sample: the window sums and powers.</summary>
    public override long ScratchLength(LayerModel layer) => 2L * layer.InputLength;

    public override string BoundText(LayerModel layer) => global::Intriguing.Layers.LocalResponseNorm.BoundText(layer.Shape.Kernel, K, Alpha, Beta);

    public override string Lipschitz(LayerModel layer) => Kernels + ".LocalResponseNorm.Lipschitz(" + I(layer.Shape.Kernel) + ", " + Dbl(K) + ", " + Dbl(Alpha) + ", " + Dbl(Beta) + ")";

    public override string SummaryArguments(LayerModel layer)
        => ", Geometry: " + Geometry(layer) + ", Norm: new global::Intriguing.NormParameters(Size: " + I(layer.Shape.Kernel) + ", K: " + Dbl(K) + ", Alpha: " + Dbl(Alpha) + ", Beta: " + Dbl(Beta) + ")";

    public override string ForwardMath(LayerModel l)
        => "y[c] = x[c] / (k + α·Σ_{|c′−c| ≤ " + I(l.Shape.Kernel / 2) + "} x[c′]²)^β, k = " + R(K) + ", α = " + R(Alpha) + ", β = " + R(Beta) + ".";

    public override string BackwardMath(LayerModel layer)
        => "dx[e] = S[e]^(−β)·dy[e] − 2αβ·x[e]·Σ_{|c−e| ≤ n/2} dy[c]·x[c]·S[c]^(−β−1), S = k + α·window sum of x².";

    public override void EmitForward(SourceWriter w, LayerModel l)
        => w.Line(Kernels + ".LocalResponseNorm.Forward(" + Geometry(l) + ", " + Flt(K) + ", " + Flt(Alpha) + ", " + Flt(Beta) + ", " + A(l.Index - 1) + ", " + A(l.Index) + ", ws.Columns, batch);");

    public override void EmitBackward(SourceWriter w, LayerModel l, string needDelta)
        => w.Line("if (" + needDelta + ") " + Kernels + ".LocalResponseNorm.Backward(" + Geometry(l) + ", " + Flt(K) + ", " + Flt(Alpha) + ", " + Flt(Beta) + ", " + A(l.Index - 1) + ", " + D(l.Index) + ", " + D(l.Index - 1) + ", ws.Columns, batch);");
}
