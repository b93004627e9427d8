using System.Collections.Generic;
using System.Linq;
using Intriguing.Generator.Layers;
using Intriguing.Generator.Model;
using static Intriguing.Generator.Literals;

namespace Intriguing.Generator;

public sealed partial class NetworkGenerator
{
    internal static partial class Emitter
    {
        private const string Cert = "global::Intriguing.Certification";
        private const string BoundKernels = "global::Intriguing.Generated.BoundKernels";

        /// <summary>The most floats the rows of one backward pass may hold together (over every activation).</summary>
        private const long BoundRowBudget = 8L << 20;

        /// <summary>
        /// Whether the network gets bound propagation (<c>ICertifiable</c>): a classifier with at least one layer below its
        /// soft-max, every one of which has interval bounds and a relaxation.
        /// </summary>
        internal static bool IsCertifiable(NetworkModel m)
            => m.EndsInSoftmax && m.Layers.Count >= 2
                && m.Layers.Take(m.Layers.Count - 1).All(l => l.Spec.BoundRole is BoundRole.Linear or BoundRole.Relaxed or BoundRole.Identity);

        /// <summary>
        /// The linear layers whose output bounds CROWN tightens: those whose output a relaxed layer reads (through
        /// identities only). Their bounds decide the relaxations; the others only pass interval bounds on.
        /// </summary>
        private static bool Refined(NetworkModel m, LayerModel l)
        {
            if (l.Spec.BoundRole != BoundRole.Linear) return false;
            for (int i = l.Index; i < m.Layers.Count - 1; i++)
            {
                BoundRole next = m.Layers[i].Spec.BoundRole;
                if (next == BoundRole.Identity) continue;
                return next == BoundRole.Relaxed;
            }

            return false;
        }

        /// <summary>Whether only identities lie below the layer: its interval bounds are exact for L∞.</summary>
        private static bool FirstLinear(NetworkModel m, LayerModel l) => m.Layers.Take(l.Index - 1).All(x => x.Spec.BoundRole == BoundRole.Identity);

        /// <summary>
        /// Whether the identity rows of a refined layer go down as windowed rows: it seeds them position by position below
        /// itself and every layer under it has a windowed backward step, so a chunk of rows seeded at neighbouring
        /// positions touches only their receptive field (docs/certification.md, "Windowed rows").
        /// </summary>
        private static bool Windowed(NetworkModel m, LayerModel l)
            => l.Spec.SeedsPositionsBelow(l) && m.Layers.Take(l.Index - 1).All(x => x.Spec.HasRowWindow(x));

        /// <summary>Whether the first layer above <paramref name="l"/> that is not an identity is 0 wherever its input is ≤ 0 (a ReLU).</summary>
        private static bool FeedsZeroWhereNonpositive(NetworkModel m, LayerModel l)
        {
            for (int i = l.Index; i < m.Layers.Count; i++)
            {
                if (m.Layers[i].Spec.BoundRole == BoundRole.Identity) continue;
                return m.Layers[i].Spec.ZeroWhereNonpositive;
            }

            return false;
        }

        /// <summary>Writes one pass of the margin rows: seeded at (or below) the logits, carried to the input, concretized.</summary>
        private static void EmitMarginPass(SourceWriter w, LayerModel logits, int top, int classes)
        {
            if (logits.Spec.SeedsBelow)
            {
                logits.Spec.EmitSeedMargins(w, logits);
                w.Line("BackSubstitute(bw, " + I(top - 1) + ", rows);");
            }
            else
            {
                w.Line("int rows = " + BoundKernels + ".SeedMargins(bw.Rows(" + I(top) + ", " + I(classes - 1) + "), bw.Constants(" + I(classes - 1) + "), label, " + I(classes) + ");");
                w.Line("BackSubstitute(bw, " + I(top) + ", rows);");
            }

            w.Line(BoundKernels + ".Concretize(bw, rows, " + BoundKernels + ".MarginIterations);");
        }

        /// <summary>The activations below layer <paramref name="below"/> (all if 0) whose relaxation parameters can be optimised.</summary>
        private static List<LayerModel> SlopeLayers(NetworkModel m, int top, int below = 0)
            => m.Layers.Take(top).Where(l => l.Spec.SlopeFunction != null && (below == 0 || l.Index < below)).ToList();

        /// <summary>
        /// Writes one pass of rows with every row's own lines (<c>_rowSlopes</c>), its storing, and with <c>gradient</c> the
        /// gradient of every row's bound with respect to its parameters: the relaxed network (the lines each row selects)
        /// run forward from the row's minimiser; each parameter's derivative is the row's entry above the activation times
        /// the derivative of its line at the relaxed pre-activation.
        /// </summary>
        private static void EmitSlopePassBody(SourceWriter w, NetworkModel m, List<LayerModel> slopes, string rows, string iterations, System.Action pass, System.Action store, string result)
        {
            string sk = "global::Intriguing.Generated.SlopeKernels", inputLength = I(m.InputLength);
            foreach (LayerModel l in slopes)
            {
                string k = I(l.Index);
                w.Line(sk + ".Lines(" + l.Spec.SlopeFunction + ", bw.Lo(" + I(l.Index - 1) + "), bw.Hi(" + I(l.Index - 1) + "), bw._ranges" + k + "!, bw._slopes" + k + "!, bw._relax" + k + ", bw._lines" + k + "!, " + rows + ");");
            }

            w.Line("bw._rowSlopes = true;");
            pass();
            w.Line("bw._rowSlopes = false;");
            store();
            w.Line("if (!gradient) return" + result + ";");
            w.Line();
            w.Line("// The relaxed network at each row's minimiser: linear layers as they are, relaxed layers by the lines the row selects.");
            w.Line("Workspace fw = bw._slopeForward!;");
            w.Line("for (int r = 0; r < " + rows + "; r++) " + BoundKernels + ".Minimizer(bw, r, " + iterations + ", fw.A0(" + rows + ").Slice(r * " + inputLength + ", " + inputLength + "));");
            int lastSlope = slopes.Max(l => l.Index);
            foreach (LayerModel l in m.Layers.Where(l => l.Index < lastSlope))
            {
                if (l.Spec.BoundRole == BoundRole.Relaxed) l.Spec.EmitRelaxedForward(w, l, rows);
                else w.Line("ForwardLayers(fw, " + I(l.Index - 1) + ", " + I(l.Index) + ", " + rows + "); // " + l.Name);
            }

            foreach (LayerModel l in slopes)
            {
                string k = I(l.Index);
                w.Line(sk + ".Gradient(" + l.Spec.SlopeFunction + ", bw.Rows(" + k + ", " + rows + "), Activation(fw, " + I(l.Index - 1) + ", " + rows + "), bw._ranges" + k + "!, bw._slopes" + k + "!, bw._slopeGradient" + k + "!, " + rows + ");");
            }

            if (result.Length > 0) w.Line("return" + result + ";");
        }

        /// <summary>Writes the start of optimised slopes for <paramref name="rows"/> rows: parameter ranges, and each row's parameters at the network's pre-activations at its minimiser.</summary>
        private static void EmitSlopeStart(SourceWriter w, NetworkModel m, List<LayerModel> slopes, string rows, string iterations)
        {
            string sk = "global::Intriguing.Generated.SlopeKernels", inputLength = I(m.InputLength);
            w.Line("EnsureSlopes(bw);");
            w.Line("Workspace fw = bw._slopeForward!;");
            foreach (LayerModel l in slopes)
            {
                w.Line(sk + ".Ranges(" + l.Spec.SlopeFunction + ", bw.Lo(" + I(l.Index - 1) + "), bw.Hi(" + I(l.Index - 1) + "), bw._ranges" + I(l.Index) + "!);");
            }

            w.Line("for (int r = 0; r < " + rows + "; r++) " + BoundKernels + ".Minimizer(bw, r, " + iterations + ", fw.A0(" + rows + ").Slice(r * " + inputLength + ", " + inputLength + "));");
            w.Line("ForwardLayers(fw, 0, " + I(slopes.Max(l => l.Index) - 1) + ", " + rows + ");");
            foreach (LayerModel l in slopes)
            {
                string k = I(l.Index);
                w.Line(sk + ".Start(" + l.Spec.SlopeFunction + ", bw._ranges" + k + "!, Activation(fw, " + I(l.Index - 1) + ", " + rows + "), bw._slopes" + k + "!, bw._moments" + k + "!, " + rows + ");");
            }
        }

        /// <summary>Writes one Adam step of every slope layer's parameters of <paramref name="rows"/> rows.</summary>
        private static void EmitAscend(SourceWriter w, List<LayerModel> slopes, string rows)
        {
            string sk = "global::Intriguing.Generated.SlopeKernels";
            foreach (LayerModel l in slopes)
            {
                string k = I(l.Index), p = rows + " * " + I(2 * l.InputLength);
                w.Line(sk + ".Ascend(new global::System.Span<float>(bw._slopes" + k + "!, 0, " + p + "), bw._slopeGradient" + k + "!, new global::System.Span<double>(bw._moments" + k + "!, 0, 2 * " + p + "), step, " + sk + ".Rate);");
            }
        }

        /// <summary>
        /// Writes the optimised slopes (α-CROWN, docs/certification.md "Optimised slopes"): <c>OptimizeMargins</c>, and
        /// <c>StartSlopes</c> and <c>SlopePass</c>, internal so that tests can compare the gradient with finite differences.
        /// </summary>
        private static void EmitSlopes(SourceWriter w, NetworkModel m, LayerModel logits, int top, int classes, long chunk)
        {
            string rows = I(classes - 1), margin = BoundKernels + ".MarginIterations";
            List<LayerModel> slopes = SlopeLayers(m, top);
            bool intermediate = m.Layers.Take(top).Any(l => OptimizedBounds(m, l, top));
            string capacity = I((int)(intermediate ? System.Math.Max(classes - 1, chunk) : classes - 1));

            w.Line();
            w.Line("/// <summary>Makes the buffers of optimised slopes on first use (for " + capacity + " rows: " + (intermediate ? "the margins or a chunk of intermediate rows" : "the margins") + ").</summary>");
            using (w.OpenBlock("private static void EnsureSlopes(BoundBuffers bw)"))
            {
                w.Line("bw._slopeForward ??= new Workspace(" + capacity + ");");
                foreach (LayerModel l in slopes)
                {
                    string k = I(l.Index);
                    w.Line("bw._ranges" + k + " ??= new float[" + I(4 * l.InputLength) + "];");
                    w.Line("bw._slopes" + k + " ??= new float[" + capacity + " * " + I(2 * l.InputLength) + "];");
                    w.Line("bw._slopeGradient" + k + " ??= new float[" + capacity + " * " + I(2 * l.InputLength) + "];");
                    w.Line("bw._lines" + k + " ??= new float[" + capacity + " * " + I(4 * l.InputLength) + "];");
                    w.Line("bw._moments" + k + " ??= new double[" + capacity + " * " + I(4 * l.InputLength) + "];");
                }
            }

            w.Line();
            w.Line("/// <summary>");
            w.Line("/// <c>SlopeSteps</c> projected gradient steps on the activations' relaxation parameters, one set per margin row, each");
            w.Line("/// followed by a margin pass with every row's own lines; keeps each margin's largest bound. Returns the smallest margin bound.");
            w.Line("/// </summary>");
            using (w.OpenBlock("private double OptimizeMargins(BoundBuffers bw, int label)"))
            {
                w.Line("StartSlopes(bw);");
                w.Line("double worst = SlopePass(bw, label, true);");
                using (w.OpenBlock("for (int step = 1; step <= bw.SlopeSteps; step++)"))
                {
                    EmitAscend(w, slopes, rows);
                    w.Line("worst = SlopePass(bw, label, step < bw.SlopeSteps);");
                }

                w.Line("return worst;");
            }

            w.Line();
            w.Line("/// <summary>The ranges of the parameters from the bounds, and every margin row's parameters at the network's pre-activations at the row's own minimiser of the last margin pass.</summary>");
            using (w.OpenBlock("internal void StartSlopes(BoundBuffers bw)")) EmitSlopeStart(w, m, slopes, rows, margin);

            w.Line();
            w.Line("/// <summary>");
            w.Line("/// One margin pass with every row's own lines at its parameters (after <see cref=\"StartSlopes\"/>); raises each margin's");
            w.Line("/// bound where it is larger and returns the smallest. With <paramref name=\"gradient\"/>, also the gradient of every row's");
            w.Line("/// bound with respect to its parameters (docs/certification.md).");
            w.Line("/// </summary>");
            using (w.OpenBlock("internal double SlopePass(BoundBuffers bw, int label, bool gradient)"))
            {
                EmitSlopePassBody(w, m, slopes, rows, margin, () => EmitMarginPass(w, logits, top, classes), () => w.Line("double worst = " + BoundKernels + ".ImproveMargins(bw, label, " + I(classes) + ");"), " worst");
            }

            // Intermediate bounds: the refined layers with plain rows and slope layers below.
            foreach (LayerModel l in m.Layers.Take(top).Where(l => OptimizedBounds(m, l, top)))
            {
                List<LayerModel> below = SlopeLayers(m, top, l.Index);
                string k = I(l.Index), hidden = BoundKernels + ".HiddenIterations";
                w.Line();
                w.Line("/// <summary>");
                w.Line("/// <c>SlopeSteps</c> projected gradient steps on the relaxation parameters below activation " + k + ", one set per row of the");
                w.Line("/// chunk <paramref name=\"start\"/>… of its bound rows (the last pass's rows are in the workspace), each followed by a pass");
                w.Line("/// that keeps every bound's tighter value.");
                w.Line("/// </summary>");
                using (w.OpenBlock("private void OptimizeBounds" + k + "(BoundBuffers bw, int start, int rows)"))
                {
                    EmitSlopeStart(w, m, below, "rows", hidden);
                    w.Line("BoundsSlopePass" + k + "(bw, start, rows, true);");
                    using (w.OpenBlock("for (int step = 1; step <= bw.SlopeSteps; step++)"))
                    {
                        EmitAscend(w, below, "rows");
                        w.Line("BoundsSlopePass" + k + "(bw, start, rows, step < bw.SlopeSteps);");
                    }
                }

                w.Line();
                w.Line("/// <summary>One pass of the chunk <paramref name=\"start\"/>… of activation " + k + "'s rows with every row's own lines (see <see cref=\"SlopePass\"/>).</summary>");
                using (w.OpenBlock("private void BoundsSlopePass" + k + "(BoundBuffers bw, int start, int rows, bool gradient)"))
                {
                    bool ordered = Ordered(m, l);
                    EmitSlopePassBody(w, m, below, "rows", hidden, () =>
                    {
                        if (ordered)
                        {
                            l.Spec.EmitSeedOrdered(w, l);
                            w.Line("BackSubstitute(bw, " + I(l.Index - 1) + ", rows);");
                        }
                        else if (l.Spec.SeedsBelow)
                        {
                            l.Spec.EmitSeedIdentity(w, l);
                            w.Line("BackSubstitute(bw, " + I(l.Index - 1) + ", rows);");
                        }
                        else
                        {
                            w.Line(BoundKernels + ".SeedIdentity(bw.Rows(" + k + ", rows), bw.Constants(rows), start, rows, " + I(l.OutputLength) + ");");
                            w.Line("BackSubstitute(bw, " + k + ", rows);");
                        }

                        w.Line(BoundKernels + ".Concretize(bw, rows, " + hidden + ");");
                    }, () => w.Line(ordered
                        ? BoundKernels + ".StorePositionBounds(bw, " + k + ", start, rows);"
                        : BoundKernels + ".StoreIdentityBounds(bw, " + k + ", start, rows, " + I(l.OutputLength) + ");"), "");
                }
            }
        }

        /// <summary>Whether a refined layer seeds rows for listed units only (a dense layer read by a ReLU; not windowed).</summary>
        private static bool Ordered(NetworkModel m, LayerModel l) => !Windowed(m, l) && l.Spec.SeedsBelow && l.Spec.SeedsOrdered && FeedsZeroWhereNonpositive(m, l);

        /// <summary>
        /// Whether the intermediate bounds of layer <paramref name="l"/> get optimised slopes: refined by full rows (not
        /// windowed: those are zero outside a window and their minimiser would read stale values) with slope layers below.
        /// </summary>
        private static bool OptimizedBounds(NetworkModel m, LayerModel l, int top)
            => Refined(m, l) && !FirstLinear(m, l) && !Windowed(m, l) && SlopeLayers(m, top, l.Index).Count > 0
                && SlopeLayers(m, top, l.Index).Sum(x => 4L * x.InputLength) * RowChunk(m, top) <= SlopeLineBudget;

        /// <summary>The most floats of per-row lines for one chunk of intermediate rows (larger networks optimise the margins' slopes only).</summary>
        private const long SlopeLineBudget = 2L << 20;

        /// <summary>Rows of one backward pass: at most 128, and at most <see cref="BoundRowBudget"/> floats over every activation.</summary>
        private static long RowChunk(NetworkModel m, int top)
        {
            long widthSum = m.InputLength + m.Layers.Take(top).Sum(l => (long)l.OutputLength);
            return System.Math.Max(1, System.Math.Min(128, BoundRowBudget / widthSum));
        }

        private static void EmitBounds(SourceWriter w, NetworkModel m)
        {
            if (!IsCertifiable(m)) return;
            int top = m.Layers.Count - 1;
            LayerModel logits = m.Layers[top - 1];
            int classes = logits.OutputLength;
            var lengths = new List<int> { m.InputLength };
            lengths.AddRange(m.Layers.Take(top).Select(l => l.OutputLength));
            long chunk = RowChunk(m, top);
            long scratch = m.Layers.Take(top).Select(l => l.Spec.BoundScratchLength(l)).DefaultIfEmpty(0).Max();

            w.Line("// ---- Bounds over input regions: interval propagation and CROWN (ICertifiable) ----------------");
            w.Line();
            w.Line("/// <summary>Rows of one backward pass of the bound propagation.</summary>");
            w.Line("private const int BoundRowChunk = " + I((int)chunk) + ";");
            w.Line();
            w.Line("private static readonly int[] s_boundLengths = { " + string.Join(", ", lengths.Select(I)) + " };");
            w.Line();
            w.Line("/// <summary>The buffers of one thread's bound propagation through " + Xml(m.ClassName) + ": bounds of activations 0…" + I(top) + " (the logits), relaxations and backward rows.</summary>");
            using (w.OpenBlock("public sealed class BoundBuffers : " + Cert + ".BoundWorkspace"))
            {
                w.Line("internal BoundBuffers() : base(s_boundLengths, BoundRowChunk, " + scratch.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")");
                w.Line("{");
                w.Line("}");
                w.Line();
                foreach (LayerModel l in m.Layers.Take(top)) l.Spec.EmitBoundFields(w, l);
                if (m.Layers.Take(top).Any(l => l.Spec.Retouchable))
                {
                    w.Line();
                    w.Line("/// <summary>The forward pass of a margin's minimiser (made on the first refinement).</summary>");
                    w.Line("internal Workspace? _forward;");
                    w.Line();
                    w.Line("/// <summary>Optimised slopes: the forward passes of the margin rows' minimisers (made on first use).</summary>");
                    w.Line("internal Workspace? _slopeForward;");
                    w.Line();
                    w.Line("/// <summary>Whether the backward passes give every row its own lines (<c>_lines</c>k) instead of the shared relaxations.</summary>");
                    w.Line("internal bool _rowSlopes;");
                    w.Line();
                    w.Line("// Per activation k with optimised slopes (made on first use): parameter ranges (4n), each margin row's parameters,");
                    w.Line("// their gradients (R × 2n), Adam's moments (2 × R × 2n) and the lines at the parameters (R × 4n).");
                    foreach (LayerModel l in m.Layers.Take(top).Where(l => l.Spec.SlopeFunction != null))
                    {
                        string k = I(l.Index);
                        w.Line("internal float[]? _ranges" + k + ", _slopes" + k + ", _slopeGradient" + k + ", _lines" + k + ";");
                        w.Line("internal double[]? _moments" + k + ";");
                    }
                }
            }

            w.Line();
            w.Line("/// <summary>Makes the buffers of one thread's bound propagation (see <see cref=\"PropagateBounds\"/>).</summary>");
            w.Line("public " + Cert + ".BoundWorkspace CreateBoundWorkspace() => new BoundBuffers();");
            w.Line();
            using (w.OpenBlock("private static BoundBuffers OwnBounds(" + Cert + ".BoundWorkspace workspace)"))
            {
                w.Line("global::System.ArgumentNullException.ThrowIfNull(workspace);");
                w.Line("return workspace as BoundBuffers ?? throw new global::System.ArgumentException(\"The bound workspace was made by another network; use CreateBoundWorkspace() of this one.\", \"workspace\");");
            }

            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Bounds every activation up to the logits (activation " + I(top) + ") over <paramref name=\"region\"/> around <paramref name=\"input\"/>:");
            w.Line("/// interval bounds layer by layer; with CROWN, the output bounds of every linear layer that a nonlinearity reads are");
            w.Line("/// tightened by a backward pass of linear relaxations down to the input. Allocates nothing.");
            w.Line("/// </summary>");
            using (w.OpenBlock("public void PropagateBounds(" + Cert + ".BoundWorkspace workspace, " + ReadOnlySpan + " input, " + Cert + ".InputRegion region, " + Cert + ".BoundMethod method = " + Cert + ".BoundMethod.Crown)"))
            {
                w.Line("BoundBuffers bw = OwnBounds(workspace);");
                w.Line("bw.Begin(input, region, method);");
                w.Line("bool relax = method != " + Cert + ".BoundMethod.Interval;");
                w.Line("bool crown = method == " + Cert + ".BoundMethod.Crown;");
                w.Line("bool l2 = region.Norm == " + Cert + ".PerturbationNorm.L2;");
                foreach (LayerModel l in m.Layers.Take(top))
                {
                    w.Line();
                    w.Line("// Layer " + I(l.Index) + " (" + l.Name + ")");
                    l.Spec.EmitInterval(w, l);
                    if (!Refined(m, l)) continue;
                    if (FirstLinear(m, l))
                    {
                        // Interval bounds of a first linear layer are exact for a box, so only an L2 region needs more.
                        if (l.Spec.HasFirstLayerBounds)
                        {
                            using (w.OpenBlock("if (crown && l2)")) l.Spec.EmitFirstLayerBounds(w, l);
                        }
                        else
                        {
                            w.Line("if (crown && l2) RefineBounds" + I(l.Index) + "(bw);");
                        }
                    }
                    else
                    {
                        w.Line("if (crown) RefineBounds" + I(l.Index) + "(bw);");
                    }
                }
            }

            w.Line();
            foreach (LayerModel l in m.Layers.Take(top).Where(l => Refined(m, l) && !(FirstLinear(m, l) && l.Spec.HasFirstLayerBounds)))
            {
                int n = l.OutputLength;
                w.Line("/// <summary>CROWN bounds of activation " + I(l.Index) + " (" + I(n) + " values): rows [I; −I] carried down to the input, " + I((int)chunk) + " at a time.</summary>");
                using (w.OpenBlock("private void RefineBounds" + I(l.Index) + "(BoundBuffers bw)"))
                {
                    bool windowed = Windowed(m, l);
                    // A dense layer read by a ReLU seeds rows for the units interval bounds leave above 0 only.
                    bool ordered = Ordered(m, l);
                    string total = I(2 * n);
                    if (windowed)
                    {
                        string shape = I(l.Shape.OutC) + ", " + I(l.Shape.OutH) + ", " + I(l.Shape.OutW);
                        w.Line("int total = 2 * " + BoundKernels + ".PositionOrder(bw, " + I(l.Index) + ", " + shape + ", " + (FeedsZeroWhereNonpositive(m, l) ? "true" : "false") + ");");
                        total = "total";
                    }
                    else if (ordered)
                    {
                        w.Line("int total = 2 * " + BoundKernels + ".PositionOrder(bw, " + I(l.Index) + ", " + I(n) + ", 1, 1, true);");
                        total = "total";
                    }

                    using (w.OpenBlock("for (int start = 0; start < " + total + "; start += BoundRowChunk)"))
                    {
                        w.Line("int rows = global::System.Math.Min(BoundRowChunk, " + total + " - start);");
                        if (windowed)
                        {
                            LayerModel first = m.Layers[0];
                            l.Spec.EmitSeedPositionsBelow(w, l);
                            w.Line("BackSubstituteWindow(bw, " + I(l.Index - 1) + ", rows);");
                            w.Line(BoundKernels + ".ConcretizeWindow(bw, rows, " + BoundKernels + ".HiddenIterations, " + I(first.Shape.InC) + ", " + I(first.Shape.InH) + ", " + I(first.Shape.InW) + ");");
                            w.Line(BoundKernels + ".StorePositionBounds(bw, " + I(l.Index) + ", start, rows);");
                        }
                        else if (ordered)
                        {
                            l.Spec.EmitSeedOrdered(w, l);
                            w.Line("BackSubstitute(bw, " + I(l.Index - 1) + ", rows);");
                            w.Line(BoundKernels + ".Concretize(bw, rows, " + BoundKernels + ".HiddenIterations);");
                            w.Line(BoundKernels + ".StorePositionBounds(bw, " + I(l.Index) + ", start, rows);");
                            if (OptimizedBounds(m, l, top)) w.Line("if (bw.SlopeSteps > 0) OptimizeBounds" + I(l.Index) + "(bw, start, rows);");
                        }
                        else if (l.Spec.SeedsBelow)
                        {
                            l.Spec.EmitSeedIdentity(w, l);
                            w.Line("BackSubstitute(bw, " + I(l.Index - 1) + ", rows);");
                        }
                        else
                        {
                            w.Line(BoundKernels + ".SeedIdentity(bw.Rows(" + I(l.Index) + ", rows), bw.Constants(rows), start, rows, " + I(n) + ");");
                            w.Line("BackSubstitute(bw, " + I(l.Index) + ", rows);");
                        }

                        if (!windowed && !ordered)
                        {
                            w.Line(BoundKernels + ".Concretize(bw, rows, " + BoundKernels + ".HiddenIterations);");
                            w.Line(BoundKernels + ".StoreIdentityBounds(bw, " + I(l.Index) + ", start, rows, " + I(n) + ");");
                            if (OptimizedBounds(m, l, top)) w.Line("if (bw.SlopeSteps > 0) OptimizeBounds" + I(l.Index) + "(bw, start, rows);");
                        }
                    }
                }

                w.Line();
            }

            w.Line("/// <summary>");
            w.Line("/// After <see cref=\"PropagateBounds\"/>: lower bounds of the margins z_label − z_j over the region (in the workspace's");
            w.Line("/// <c>MarginBounds</c>) by a backward pass from the logits (interval bounds for <c>BoundMethod.Interval</c>); returns the smallest.");
            w.Line("/// </summary>");
            using (w.OpenBlock("public double MarginLowerBound(" + Cert + ".BoundWorkspace workspace, int label)"))
            {
                w.Line("BoundBuffers bw = OwnBounds(workspace);");
                w.Line("bw.EnsurePropagated();");
                w.Line(BoundKernels + ".CheckLabel(label, " + I(classes) + ");");
                w.Line("if (bw.Method == " + Cert + ".BoundMethod.Interval) return " + BoundKernels + ".IntervalMargins(bw, label, " + I(top) + ");");
                EmitMarginPass(w, logits, top, classes);
                if (m.Layers.Take(top).Any(l => l.Spec.Retouchable))
                {
                    w.Line("double worst = " + BoundKernels + ".StoreMargins(bw, label, " + I(classes) + ");");
                    w.Line("if (bw.Method != " + Cert + ".BoundMethod.Crown) return worst;");
                    w.Line("if (bw.MarginRefinements > 0) worst = RefineMargins(bw, label);");
                    w.Line("return bw.SlopeSteps > 0 ? OptimizeMargins(bw, label) : worst;");
                }
                else
                {
                    w.Line("return " + BoundKernels + ".StoreMargins(bw, label, " + I(classes) + ");");
                }
            }

            if (m.Layers.Take(top).Any(l => l.Spec.Retouchable))
            {
                w.Line();
                w.Line("/// <summary>");
                w.Line("/// <c>MarginRefinements</c> more passes from the logits, each with the activations' relaxations re-touched at the");
                w.Line("/// forward pass of the input that attains the previous pass's smallest margin bound; keeps each margin's largest bound,");
                w.Line("/// then restores the plain relaxations. Returns the smallest margin bound.");
                w.Line("/// </summary>");
                using (w.OpenBlock("private double RefineMargins(BoundBuffers bw, int label)"))
                {
                    w.Line("Workspace fw = bw._forward ??= new Workspace(1);");
                    w.Line("double worst = double.PositiveInfinity;");
                    using (w.OpenBlock("for (int pass = 0; pass < bw.MarginRefinements; pass++)"))
                    {
                        w.Line(BoundKernels + ".Minimizer(bw, " + BoundKernels + ".WorstRow(bw, " + I(classes - 1) + "), " + BoundKernels + ".MarginIterations, fw.A0(1));");
                        w.Line("ForwardLayers(fw, 0, " + I(top - 1) + ", 1);");
                        foreach (LayerModel l in m.Layers.Take(top).Where(l => l.Spec.Retouchable))
                        {
                            l.Spec.EmitRetouch(w, l, "Activation(fw, " + I(l.Index - 1) + ", 1)");
                        }

                        EmitMarginPass(w, logits, top, classes);
                        w.Line("worst = " + BoundKernels + ".ImproveMargins(bw, label, " + I(classes) + ");");
                    }

                    foreach (LayerModel l in m.Layers.Take(top).Where(l => l.Spec.Retouchable)) l.Spec.EmitRelax(w, l);
                    w.Line("return worst;");
                }

                EmitSlopes(w, m, logits, top, classes, chunk);
            }

            // The layers 1 … windowTop all have windowed steps: full rows reaching activation windowTop go on as windowed
            // rows with the whole map as their window (one product with Wᵀ per group of rows instead of one per row).
            int windowTop = 0;
            while (windowTop < top - 1 && m.Layers[windowTop].Spec.HasRowWindow(m.Layers[windowTop])) windowTop++;
            if (windowTop > 0)
            {
                w.Line();
                w.Line("/// <summary>Carries <paramref name=\"rows\"/> windowed rows over activation <paramref name=\"top\"/> down to the input (see <c>BoundWorkspace.Window</c>).</summary>");
                using (w.OpenBlock("private void BackSubstituteWindow(BoundBuffers bw, int top, int rows)"))
                {
                    using (w.OpenBlock("switch (top)"))
                    {
                        for (int k = windowTop; k >= 1; k--)
                        {
                            LayerModel l = m.Layers[k - 1];
                            w.Line("case " + I(k) + ": // " + l.Name);
                            using (w.Indent())
                            {
                                l.Spec.EmitBackSubstituteWindow(w, l);
                                w.Line("goto case " + I(k - 1) + ";");
                            }
                        }

                        w.Line("case 0:");
                        using (w.Indent()) w.Line("break;");
                        w.Line("default:");
                        using (w.Indent()) w.Line("throw new global::System.ArgumentOutOfRangeException(\"top\");");
                    }
                }
            }

            w.Line();
            w.Line("/// <summary>Carries <paramref name=\"rows\"/> rows over activation <paramref name=\"top\"/> down to the input, layer by layer (each layer's relaxation or transpose).</summary>");
            using (w.OpenBlock("private void BackSubstitute(BoundBuffers bw, int top, int rows)"))
            {
                using (w.OpenBlock("switch (top)"))
                {
                    for (int k = top; k >= 1; k--)
                    {
                        LayerModel l = m.Layers[k - 1];
                        w.Line("case " + I(k) + ": // " + l.Name);
                        using (w.Indent())
                        {
                            if (k == windowTop)
                            {
                                w.Line(BoundKernels + ".FullWindow(bw, " + I(k) + ", " + I(l.Shape.OutH) + ", " + I(l.Shape.OutW) + ");");
                                w.Line("BackSubstituteWindow(bw, " + I(k) + ", rows);");
                                w.Line("break;");
                                continue;
                            }

                            l.Spec.EmitBackSubstitute(w, l);
                            w.Line("goto case " + I(k - 1) + ";");
                        }
                    }

                    w.Line("case 0:");
                    using (w.Indent()) w.Line("break;");
                    w.Line("default:");
                    using (w.Indent()) w.Line("throw new global::System.ArgumentOutOfRangeException(\"top\");");
                }
            }

            w.Line();
        }
    }
}
