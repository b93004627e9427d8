using System.Globalization;
using Intriguing.Generator.Model;

namespace Intriguing.Generator.Layers;

/// <summary>
/// One layer kind of the attribute DSL: a value record of the attribute's arguments that owns everything the generator
/// does for that kind — its shape inference and checks (<see cref="Infer"/>), its parameter layout
/// (<see cref="Parameters"/>), and its emitted forward and backward code with their comments.
/// </summary>
/// <remarks>
/// Each concrete spec reads its own attribute through a static <c>Read</c> method named by <see cref="ReadsAttribute"/>;
/// <see cref="LayerSpecs"/> finds them, so a new layer kind is a new file here and nowhere else in the generator. Specs
/// are records of primitives, so they take part in the pipeline's value equality (see the caching contract in
/// <c>Model/NetworkModels.cs</c>). Emitted code refers to activation k of the workspace as <c>ws.A{k}(batch)</c> and to
/// its gradient as <c>ws.D{k}(batch)</c>; a layer with index k reads activation k − 1 and writes activation k.
/// </remarks>
internal abstract record LayerSpec
{
    /// <summary>The layer kind, as the runtime's summary names it; also the prefix of the layer's name (<c>Dense1</c>).</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>An element-wise nonlinearity or the soft-max (not dropout): checked for repeats and for directly following the input.</summary>
    public virtual bool IsActivation => false;

    /// <summary>Whether the layer's kernels take a <c>LayerGeometry</c> (emitted as a static field and passed to the summary).</summary>
    public virtual bool HasGeometry => false;

    /// <summary>Whether the layer draws dropout masks in training mode (the workspace then tracks whether a pass was masked).</summary>
    public virtual bool UsesTrainingMasks => false;

    /// <summary>The layer as written, for diagnostics, e.g. <c>Conv(32, 5, stride 1, padding 0)</c>.</summary>
    public virtual string Written => Kind.ToString();

    /// <summary>Infers the output shape from the input shape in <paramref name="context"/>, reporting what is wrong.</summary>
    public abstract LayerOutput Infer(ShapeContext context);

    /// <summary>The trainable parameters a layer of this shape needs, or null for a layer without any.</summary>
    public virtual ParameterRequest? Parameters(LayerShape shape, long inputLength, long outputLength) => null;

    /// <summary>The shape of W as text, e.g. <c>100 × 784</c> (layers with weights).</summary>
    public virtual string WeightShape(LayerModel layer) => I(layer.OutputLength) + " × " + I(layer.InputLength);

    /// <summary>How W is laid out, for the weight view's documentation (layers with weights).</summary>
    public virtual string WeightLayout => "row-major (row j holds the weights of output unit j)";

    /// <summary>What the bias holds beyond its length, for the bias view's documentation, e.g. <c>, one per filter</c>.</summary>
    public virtual string BiasNote => "";

    /// <summary>Multiply-adds per sample of the forward pass.</summary>
    public virtual long MultiplyAdds(LayerModel layer) => 0;

    /// <summary>Floats of the workspace's per-sample scratch the layer's kernels need (im2col matrix, sums).</summary>
    public virtual long ScratchLength(LayerModel layer) => 0;

    /// <summary>The layer in the class summary's stack, e.g. <c>Dense 100</c> or <c>Conv 32×24×24</c>.</summary>
    public virtual string Describe(LayerModel layer) => Kind.ToString();

    /// <summary>The text naming how the layer's Lipschitz bound is obtained (the summary's last column).</summary>
    public abstract string BoundText(LayerModel layer);

    /// <summary>A C# expression of the layer's <c>LayerLipschitz</c>, made by its runtime layer kind, for the summary.</summary>
    public abstract string Lipschitz(LayerModel layer);

    /// <summary>
    /// A C# expression of the layer's <c>LayerBound</c> for the current parameters (in the generated <c>LipschitzBounds</c>,
    /// with <c>layer</c> its summary entry and <c>options</c> in scope): by default the summary's <c>LayerLipschitz</c>;
    /// layers with weights call their home with their constant shape.
    /// </summary>
    public virtual string LipschitzBound(LayerModel l) => "layer.Lipschitz.Compute(this, layer, options)";

    /// <summary>The summary's <c>OutputBox</c> argument (each starting with ", "): the range of the layer's output whatever its input, when there is one.</summary>
    protected static string Box(double lower, double upper) => ", OutputBox: new global::Intriguing.ActivationBox(" + Bound(lower) + ", " + Bound(upper) + ")";

    /// <summary>The summary's <c>OutputBox</c> argument of a layer whose output lies in its input's box.</summary>
    protected const string InputBox = ", OutputBox: global::Intriguing.ActivationBox.InputBox";

    private static string Bound(double value) => double.IsPositiveInfinity(value) ? "double.PositiveInfinity" : double.IsNegativeInfinity(value) ? "double.NegativeInfinity" : Dbl(value);

    /// <summary>Named arguments added to the layer's <c>LayerInfo</c> in the summary (each starting with ", "), beyond the common ones.</summary>
    public virtual string SummaryArguments(LayerModel layer) => "";

    /// <summary>The forward math, for the comment over the layer's block.</summary>
    public abstract string ForwardMath(LayerModel layer);

    /// <summary>The backward math, for the comment over the layer's block.</summary>
    public abstract string BackwardMath(LayerModel layer);

    /// <summary>Writes the body of the layer's forward block: reads <c>ws.A{k−1}</c>, writes <c>ws.A{k}</c>.</summary>
    public abstract void EmitForward(SourceWriter w, LayerModel layer);

    /// <summary>
    /// Writes the body of the layer's backward block: reads <c>ws.D{k}</c>; writes parameter gradients into
    /// <c>gradient</c> unless it is empty, and <c>ws.D{k−1}</c> when the C# condition <paramref name="needDelta"/> holds.
    /// </summary>
    public abstract void EmitBackward(SourceWriter w, LayerModel layer, string needDelta);

    /// <summary>
    /// The layer's entry in the dense-stack layout the trainer's fused SGD steps read (the initialiser of a
    /// <c>DenseStackLayerValues</c>), or null when the fused steps do not cover this kind (the network then trains
    /// through its general passes).
    /// </summary>
    public virtual string? DenseStackEntry(LayerModel layer) => null;

    /// <summary>The shape part of a dense-stack entry.</summary>
    protected static string StackShape(LayerModel layer) => "InputLength = " + I(layer.InputLength) + ", OutputLength = " + I(layer.OutputLength);

    /// <summary>The kinds of the dense-stack layout.</summary>
    protected const string StackKind = "global::Intriguing.Generated.DenseStackLayerKind.";

    /// <summary>Writes the layer's own workspace fields (e.g. pooling's winners).</summary>
    public virtual void EmitWorkspaceFields(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Writes the allocation of the layer's own workspace fields, in the workspace constructor (<c>maxBatch</c> in scope).</summary>
    public virtual void EmitWorkspaceAllocation(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Writes accessors of the layer's own workspace fields.</summary>
    public virtual void EmitWorkspaceAccessors(SourceWriter w, LayerModel layer)
    {
    }

    // ---- Bound propagation (ICertifiable): interval bounds and CROWN's backward passes ----

    /// <summary>What the layer is to bound propagation; <see cref="BoundRole.None"/> makes the network not certifiable.</summary>
    public virtual BoundRole BoundRole => BoundRole.None;

    /// <summary>
    /// Writes the layer's interval step: reads <c>bw.Lo(k−1)</c>, <c>bw.Hi(k−1)</c>, writes <c>bw.Lo(k)</c>, <c>bw.Hi(k)</c>;
    /// a relaxed layer also writes its linear relaxation when the C# condition <c>relax</c> holds.
    /// </summary>
    public virtual void EmitInterval(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>
    /// Writes the layer's step of a backward pass: <c>rows</c> rows over activation k (<c>bw.Rows(k, rows)</c>) become
    /// rows over activation k − 1, their constants (<c>bw.Constants(rows)</c>) gaining the layer's constant terms.
    /// </summary>
    public virtual void EmitBackSubstitute(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Whether the layer's output is exactly 0 wherever its input is ≤ 0 (ReLU): neurons below it proved ≤ 0 need no tighter bounds.</summary>
    public virtual bool ZeroWhereNonpositive => false;

    /// <summary>
    /// Whether the layer has a windowed backward step (<see cref="EmitBackSubstituteWindow"/>): rows zero outside a
    /// rectangle of its image output stay zero outside a rectangle of its image input.
    /// </summary>
    public virtual bool HasRowWindow(LayerModel layer) => false;

    /// <summary>Whether the layer seeds windowed identity rows below itself (<see cref="EmitSeedPositionsBelow"/>).</summary>
    public virtual bool SeedsPositionsBelow(LayerModel layer) => false;

    /// <summary>Writes the seeding of windowed rows <c>start</c>… over the units in <c>bw.Order</c> carried through the layer at once.</summary>
    public virtual void EmitSeedPositionsBelow(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Writes the layer's windowed backward step (see <see cref="HasRowWindow"/>): rows over activation k become rows over k − 1, windows included.</summary>
    public virtual void EmitBackSubstituteWindow(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Whether the layer seeds identity and margin rows directly below itself (<see cref="EmitSeedIdentity"/>), saving a product with the identity.</summary>
    public virtual bool SeedsBelow => false;

    /// <summary>Writes the seeding of identity rows <c>start</c>… (<c>rows</c> of them) below the layer (when <see cref="SeedsBelow"/>).</summary>
    public virtual void EmitSeedIdentity(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Whether the layer can seed the identity rows of listed units only below itself (<see cref="EmitSeedOrdered"/>).</summary>
    public virtual bool SeedsOrdered => false;

    /// <summary>Writes the seeding of rows <c>start</c>… over the units in <c>bw.Order</c> below the layer (when <see cref="SeedsOrdered"/>).</summary>
    public virtual void EmitSeedOrdered(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Writes <c>int rows = …;</c>: the margin rows for <c>label</c> seeded below the layer (when <see cref="SeedsBelow"/>).</summary>
    public virtual void EmitSeedMargins(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>
    /// Writes the exact bounds of a first linear layer (only the identity lies below it) over an L2 region, or nothing
    /// when the generic rows are used (see <see cref="HasFirstLayerBounds"/>).
    /// </summary>
    public virtual void EmitFirstLayerBounds(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Whether the layer's relaxation can be re-touched at a point (<see cref="EmitRetouch"/>), for tighter margin bounds.</summary>
    public virtual bool Retouchable => false;

    /// <summary>Writes the re-touching of the layer's relaxation at the pre-activations <paramref name="touch"/> (a C# span expression).</summary>
    public virtual void EmitRetouch(SourceWriter w, LayerModel layer, string touch)
    {
    }

    /// <summary>Writes the computation of the layer's plain relaxation from its input bounds (restoring it after re-touching).</summary>
    public virtual void EmitRelax(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>
    /// The <c>Intriguing.Generated.SlopeFunction</c> member whose relaxation parameters margin passes can optimise
    /// (<see cref="Retouchable"/> layers), or null. The buffers are the emitter's: <c>bw._ranges{k}</c>, <c>bw._slopes{k}</c>,
    /// <c>bw._slopeGradient{k}</c>, <c>bw._moments{k}</c> and the per-row lines <c>bw._lines{k}</c>.
    /// </summary>
    public virtual string? SlopeFunction => null;

    /// <summary>
    /// Writes the relaxed layer run forward on the <c>R</c> samples of <c>fw</c>, each with the lines its backward row
    /// selects (activation k − 1 to activation k; the reverse of the backward step, for the gradient of a bound).
    /// </summary>
    public virtual void EmitRelaxedForward(SourceWriter w, LayerModel layer, string rows)
    {
    }

    /// <summary>Whether <see cref="EmitFirstLayerBounds"/> writes a dedicated kernel.</summary>
    public virtual bool HasFirstLayerBounds => false;

    /// <summary>Floats of bound-workspace scratch the layer's bound kernels need (beyond the activation buffers).</summary>
    public virtual long BoundScratchLength(LayerModel layer) => 0;

    /// <summary>Writes the layer's own fields of the bound workspace (relaxations, winners), with their allocation.</summary>
    public virtual void EmitBoundFields(SourceWriter w, LayerModel layer)
    {
    }

    /// <summary>Lower bounds of activation <paramref name="k"/>: <c>bw.Lo(k)</c>.</summary>
    protected static string Lo(int k) => "bw.Lo(" + I(k) + ")";

    /// <summary>Upper bounds of activation <paramref name="k"/>: <c>bw.Hi(k)</c>.</summary>
    protected static string Hi(int k) => "bw.Hi(" + I(k) + ")";

    /// <summary>The backward pass's rows over activation <paramref name="k"/>: <c>bw.Rows(k, rows)</c>.</summary>
    protected static string Rows(int k) => "bw.Rows(" + I(k) + ", rows)";

    /// <summary>The layer's bias as a span, or <c>default</c>.</summary>
    protected static string BiasOrDefault(LayerModel l) => l.HasBias ? l.Name + "Bias" : "default";

    // ---- Helpers for the emitted text ----

    /// <summary>Activation <paramref name="k"/> of the batch: <c>ws.A{k}(batch)</c>.</summary>
    protected static string A(int k) => "ws.A" + I(k) + "(batch)";

    /// <summary>The gradient of activation <paramref name="k"/>: <c>ws.D{k}(batch)</c>.</summary>
    protected static string D(int k) => "ws.D" + I(k) + "(batch)";

    /// <summary>The static geometry field of layer <paramref name="layer"/>.</summary>
    protected static string Geometry(LayerModel layer) => "s_geometry" + I(layer.Index);

    protected static string I(int value) => Literals.I(value);

    protected static string R(double value) => Literals.R(value);

    protected static string Flt(double value) => Literals.Flt(value);

    protected static string Dbl(double value) => Literals.Dbl(value);

    protected const string Gemm = "global::Intriguing.Generated.Gemm";
    protected const string Guard = "global::Intriguing.Generated.NetworkGuard";
    protected const string Kernels = "global::Intriguing.Layers";
}

/// <summary>What a layer kind is to bound propagation.</summary>
internal enum BoundRole
{
    /// <summary>No bounds: the network is not certifiable.</summary>
    None,

    /// <summary>Linear (dense, convolution, average pooling): interval bounds exact for a box; the backward pass goes through its transpose.</summary>
    Linear,

    /// <summary>Nonlinear with a linear relaxation from its input's bounds (activations, max pooling).</summary>
    Relaxed,

    /// <summary>The identity at inference (dropout).</summary>
    Identity,

    /// <summary>The soft-max: bounds stop at its input, the logits.</summary>
    Output,
}

/// <summary>The output a layer infers: its geometry and length, and whether the stack can still be emitted.</summary>
/// <param name="Ok">False when an error was reported (nothing is emitted).</param>
/// <param name="ShapeKnown">False after a size error, so that later shape checks do not cascade.</param>
/// <param name="C">Output channels (a flat output of n values is n × 1 × 1).</param>
/// <param name="H">Output height.</param>
/// <param name="W">Output width.</param>
/// <param name="Image">Whether the output is an image.</param>
/// <param name="Length">Values per sample.</param>
/// <param name="Kernel">Window or kernel side (1 for layers without one).</param>
/// <param name="Stride">Stride (1 for layers without one).</param>
/// <param name="Padding">Padding on each side.</param>
/// <param name="Circular">Circular padding.</param>
/// <param name="Cover">The largest number of windows holding one input value.</param>
internal sealed record LayerOutput(bool Ok, bool ShapeKnown, int C, int H, int W, bool Image, long Length, int Kernel = 1, int Stride = 1, int Padding = 0, bool Circular = false, int Cover = 1);

/// <summary>The trainable parameters a layer asks for; the analyzer places them in the flat buffer.</summary>
/// <param name="Weights">Values in W.</param>
/// <param name="Biases">Values in b (0 without bias).</param>
/// <param name="FanIn">Inputs per output, for the initialisation.</param>
/// <param name="FanOut">Outputs per input, for the initialisation.</param>
/// <param name="FanInText">The fan-in as written in the initialisation rule, e.g. <c>1·5·5</c>.</param>
/// <param name="FanOutText">The fan-out as written in the initialisation rule.</param>
/// <param name="WeightDecay">Weight decay λ of W.</param>
internal sealed record ParameterRequest(long Weights, long Biases, long FanIn, long FanOut, string FanInText, string FanOutText, double WeightDecay);
