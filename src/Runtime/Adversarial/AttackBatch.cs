using System.Numerics.Tensors;

namespace Intriguing.Adversarial;

/// <summary>
/// The per-example state of a batch of examples under one batched attack, and the network calls it makes: forward
/// passes, cross-entropy gradients and logit-difference gradients for many examples per call. One instance per thread,
/// reused from batch to batch: nothing allocates per step.
/// </summary>
/// <remarks>
/// <para><b>Batch invariance.</b> The network is called on slices of at most <see cref="SliceRows"/> rows. Below 16
/// rows every dense product takes the same kernel path (dot-product tiles) whatever the number of rows, and every other
/// kernel works row by row, so each row's outputs and gradients do not depend on which other rows share its call:
/// the results are the same for any batch size and thread count.</para>
/// <para><b>Logit differences.</b> The classifier contract gives the gradient of the cross-entropy against a label,
/// ∇CEₖ = Jᵀ(p − eₖ) with J the Jacobian of the logits z. The gradient of a logit difference follows from two of
/// them: ∇(z_a − z_b) = ∇CE_b − ∇CE_a; its value is ln p_a − ln p_b, computed from the soft-max output.</para>
/// </remarks>
internal sealed class AttackBatch
{
    /// <summary>Most rows per network call (see the remarks).</summary>
    public const int SliceRows = 15;

    /// <summary>
    /// The decision margin in logits, ln(1 + <see cref="LbfgsAttack.DecisionMargin"/>): the attacks' losses aim at the
    /// boundary shifted by it, which is where <see cref="Adversarial"/> starts to hold.
    /// </summary>
    public static readonly double MarginLogit = Math.Log(1 + LbfgsAttack.DecisionMargin);

    private readonly IClassifier _network;
    private readonly int _layer;
    private readonly NetworkWorkspace _workspace;
    private readonly float[] _scratchGradient, _scratchProbabilities;
    private readonly List<float[]> _vectors = [];
    private readonly List<double[]> _scalars = [];
    private readonly List<int[]> _integers = [];

    public AttackBatch(IClassifier network, int layer, int capacity, double lower, double upper, AttackNorm norm)
    {
        _network = network;
        _layer = layer;
        N = network.ActivationLength(layer);
        Classes = network.OutputLength;
        Capacity = capacity;
        Lower = lower;
        Upper = upper;
        Norm = norm;
        _workspace = network.CreateWorkspace(Math.Min(capacity, SliceRows));
        X0 = new float[capacity * N];
        Best = new float[capacity * N];
        Labels = new int[capacity];
        Targets = new int[capacity];
        Indices = new int[capacity];
        BestNorm = new double[capacity];
        Found = new bool[capacity];
        Misclassified = new bool[capacity];
        Forwards = new int[capacity];
        Gradients = new int[capacity];
        AllRows = Enumerable.Range(0, capacity).ToArray();
        _scratchGradient = new float[capacity * N];
        _scratchProbabilities = new float[capacity * Classes];
        _refineRows = new int[capacity];
        _inside = new double[capacity];
        _outside = new double[capacity];
        _refineX = new float[capacity * N];
    }

    private readonly int[] _refineRows;
    private readonly double[] _inside, _outside;
    private readonly float[] _refineX;

    /// <summary>Whether this state serves batches of <paramref name="capacity"/> examples of this network, layer and box.</summary>
    public bool Fits(IClassifier network, int layer, int capacity, double lower, double upper) =>
        ReferenceEquals(network, _network) && layer == _layer && capacity == Capacity && lower.Equals(Lower) && upper.Equals(Upper);

    public int N { get; }
    public int Classes { get; }
    public int Capacity { get; }
    public double Lower { get; }
    public double Upper { get; }
    public AttackNorm Norm { get; }

    /// <summary>Examples in the current batch.</summary>
    public int Count { get; private set; }

    public float[] X0 { get; }
    public float[] Best { get; }
    public int[] Labels { get; }

    /// <summary>Target of each example, −1 when untargeted.</summary>
    public int[] Targets { get; }

    /// <summary>Index of each example in its data set (the stream of its random numbers).</summary>
    public int[] Indices { get; }

    public double[] BestNorm { get; }
    public bool[] Found { get; }

    /// <summary>Whether the network already misclassifies the clean example (set by <see cref="CheckClean"/>).</summary>
    public bool[] Misclassified { get; }
    public int[] Forwards { get; }
    public int[] Gradients { get; }

    /// <summary>0, 1, …, Capacity − 1: the rows of a call over the whole batch.</summary>
    public int[] AllRows { get; }

    /// <summary>Rows 0 … Count − 1.</summary>
    public ReadOnlySpan<int> Rows => AllRows.AsSpan(0, Count);

    /// <summary>A buffer of Capacity·N values owned by this batch (slot <paramref name="slot"/>), allocated on first use.</summary>
    public Span<float> Vector(int slot) => Slot(_vectors, slot, Capacity * N);

    /// <summary>A buffer of Capacity·<paramref name="perExample"/> doubles (slot <paramref name="slot"/>), allocated on first use.</summary>
    public Span<double> Scalars(int slot, int perExample = 1) => Slot(_scalars, slot, Capacity * perExample);

    /// <summary>A buffer of Capacity·<paramref name="perExample"/> integers (slot <paramref name="slot"/>), allocated on first use.</summary>
    public Span<int> Integers(int slot, int perExample = 1) => Slot(_integers, slot, Capacity * perExample);

    private static Span<T> Slot<T>(List<T[]> slots, int slot, int length)
    {
        while (slots.Count <= slot) slots.Add([]);
        if (slots[slot].Length < length) slots[slot] = new T[length];
        return slots[slot].AsSpan(0, length);
    }

    /// <summary>Loads examples <paramref name="start"/> … of <paramref name="indices"/> and resets their state.</summary>
    public void Load(Data.Dataset data, IReadOnlyList<int> indices, IReadOnlyList<int>? targets, int start, int count)
    {
        Count = count;
        for (int e = 0; e < count; e++)
        {
            int index = indices[start + e];
            data.Sample(index).CopyTo(X0.AsSpan(e * N, N));
            Labels[e] = data.Labels[index];
            Targets[e] = targets is null ? -1 : targets[start + e];
            Indices[e] = index;
            BestNorm[e] = double.PositiveInfinity;
            Found[e] = false;
            Misclassified[e] = false;
            Forwards[e] = 0;
            Gradients[e] = 0;
        }

        X0.AsSpan(0, count * N).CopyTo(Best);
    }

    /// <summary>The label whose probability the attack drives: the target, or the true label when untargeted.</summary>
    public int Goal(int example) => Targets[example] >= 0 ? Targets[example] : Labels[example];

    public bool Targeted(int example) => Targets[example] >= 0;

    /// <summary>Row <paramref name="row"/> of a packed buffer of rows of length N.</summary>
    public Span<float> Row(Span<float> buffer, int row) => buffer.Slice(row * N, N);

    /// <summary>The clean example <paramref name="example"/>.</summary>
    public ReadOnlySpan<float> Clean(int example) => X0.AsSpan(example * N, N);

    /// <summary>Soft-max outputs of the packed rows <paramref name="x"/> (one per entry of <paramref name="rows"/>, which names their examples).</summary>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<int> rows, Span<float> probabilities)
    {
        int count = rows.Length;
        for (int s = 0; s < count; s += SliceRows)
        {
            int m = Math.Min(SliceRows, count - s);
            _network.ForwardFrom(_workspace, _layer, x.Slice(s * N, m * N), probabilities.Slice(s * Classes, m * Classes), m);
        }

        foreach (int e in rows) Forwards[e]++;
    }

    /// <summary>
    /// Gradients of the cross-entropy of each packed row against <paramref name="labels"/> (one per row) with respect
    /// to the row, and the rows' soft-max outputs.
    /// </summary>
    public void CrossEntropyGradient(ReadOnlySpan<float> x, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels, Span<float> gradient, Span<float> probabilities)
    {
        int count = rows.Length;
        for (int s = 0; s < count; s += SliceRows)
        {
            int m = Math.Min(SliceRows, count - s);
            _network.LossAndLayerGradient(_workspace, _layer, x.Slice(s * N, m * N), labels.Slice(s, m), m, gradient.Slice(s * N, m * N));
            _workspace.Outputs(m).CopyTo(probabilities.Slice(s * Classes, m * Classes));
        }

        foreach (int e in rows) Gradients[e]++;
    }

    /// <summary>
    /// For each packed row: the soft-max output, the label b = argmax_{j ≠ a} p_j (into <paramref name="other"/>) for
    /// a = <paramref name="labels"/>[row], and the gradient of z_a − z_b (two cross-entropy gradients).
    /// </summary>
    public void LogitDifferenceGradient(ReadOnlySpan<float> x, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels, Span<int> other, Span<float> gradient, Span<float> probabilities)
    {
        int count = rows.Length;
        Span<float> ga = _scratchGradient.AsSpan(0, count * N);
        CrossEntropyGradient(x, rows, labels, ga, probabilities);
        for (int r = 0; r < count; r++) other[r] = RunnerUp(probabilities.Slice(r * Classes, Classes), labels[r]);
        CrossEntropyGradient(x, rows, other[..count], gradient, _scratchProbabilities);
        TensorPrimitives.Subtract(gradient[..(count * N)], ga, gradient[..(count * N)]);
    }

    /// <summary>The most probable label other than <paramref name="label"/> (the lowest such index on ties).</summary>
    public static int RunnerUp(ReadOnlySpan<float> p, int label)
    {
        int best = label == 0 ? 1 : 0;
        for (int j = 0; j < p.Length; j++)
        {
            if (j != label && p[j] > p[best]) best = j;
        }

        return best;
    }

    /// <summary>ln p, with p floored at the smallest positive single.</summary>
    public static double Log(float p) => Math.Log(Math.Max(p, float.Epsilon));

    /// <summary>
    /// How far row p is into the adversarial region, in logits: ln p_t − ln max_{j≠t} p_j when targeted at t, else
    /// ln max_{j≠y} p_j − ln p_y. The example counts as adversarial when this is at least ln(1 + <see cref="LbfgsAttack.DecisionMargin"/>).
    /// </summary>
    public double Margin(ReadOnlySpan<float> p, int example)
    {
        int goal = Goal(example);
        double other = Log(p[RunnerUp(p, goal)]), own = Log(p[goal]);
        return Targeted(example) ? own - other : other - own;
    }

    /// <summary>
    /// Whether the soft-max output p of example <paramref name="example"/> is clearly adversarial: the target's
    /// probability exceeds every other by the relative <see cref="LbfgsAttack.DecisionMargin"/>, or (untargeted) some
    /// other label's exceeds the true one's by it. The margin keeps the verdict stable under the rounding of a different
    /// batch size in the verification pass.
    /// </summary>
    public bool Adversarial(ReadOnlySpan<float> p, int example)
    {
        int goal = Goal(example);
        float other = p[RunnerUp(p, goal)], own = p[goal];
        const float m = 1 + LbfgsAttack.DecisionMargin;
        return Targeted(example) ? own >= m * other : other >= m * own;
    }

    /// <summary>‖x − x0‖ in <paramref name="norm"/>, in double precision.</summary>
    public double Distance(int example, ReadOnlySpan<float> x, AttackNorm norm)
    {
        ReadOnlySpan<float> x0 = Clean(example);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - x0[i];
            s = norm == AttackNorm.L2 ? s + (d * d) : Math.Max(s, Math.Abs(d));
        }

        return norm == AttackNorm.L2 ? Math.Sqrt(s) : s;
    }

    /// <summary>Keeps <paramref name="x"/> as the example's best if it is closer (in <see cref="Norm"/>) than the best so far.</summary>
    public void Record(int example, ReadOnlySpan<float> x)
    {
        double d = Distance(example, x, Norm);
        if (d < BestNorm[example])
        {
            BestNorm[example] = d;
            Found[example] = true;
            x.CopyTo(Best.AsSpan(example * N, N));
        }
    }

    /// <summary>
    /// One forward pass of every clean example; those already adversarial are recorded at distance 0 (so the attack leaves
    /// them), and those the network misclassifies are marked (<see cref="Misclassified"/>: reported, not a success).
    /// </summary>
    public void CheckClean()
    {
        Span<float> p = _scratchProbabilities.AsSpan(0, Count * Classes);
        Forward(X0.AsSpan(0, Count * N), Rows, p);
        for (int e = 0; e < Count; e++)
        {
            ReadOnlySpan<float> row = p.Slice(e * Classes, Classes);
            Misclassified[e] = TensorPrimitives.IndexOfMax(row) != Labels[e];
            if (Adversarial(row, e)) Record(e, Clean(e));
        }
    }

    /// <summary>Whether the clean example was already adversarial (recorded at distance 0).</summary>
    public bool CleanAdversarial(int example) => Found[example] && BestNorm[example] == 0;

    /// <summary>
    /// Moves each best example towards its clean one along the segment between them, as far as it stays adversarial:
    /// <paramref name="steps"/> bisection steps on the segment parameter, all examples in one call per step.
    /// </summary>
    public void RefineBoundary(int steps)
    {
        if (steps <= 0) return;
        Span<int> rows = _refineRows.AsSpan(0, Count);
        Span<double> inside = _inside, outside = _outside;
        int count = 0;
        for (int e = 0; e < Count; e++)
        {
            if (!Found[e] || BestNorm[e] == 0) continue;
            rows[count++] = e;
            inside[e] = 1;
            outside[e] = 0;
        }

        if (count == 0) return;
        rows = rows[..count];
        Span<float> x = _refineX.AsSpan(0, count * N);
        Span<float> p = _scratchProbabilities.AsSpan(0, count * Classes);
        for (int s = 0; s < steps; s++)
        {
            for (int r = 0; r < count; r++)
            {
                int e = rows[r];
                Segment(e, 0.5 * (inside[e] + outside[e]), Row(x, r));
            }

            Forward(x, rows, p);
            for (int r = 0; r < count; r++)
            {
                int e = rows[r];
                double t = 0.5 * (inside[e] + outside[e]);
                if (Adversarial(p.Slice(r * Classes, Classes), e)) inside[e] = t;
                else outside[e] = t;
            }
        }

        for (int r = 0; r < count; r++)
        {
            int e = rows[r];
            if (inside[e] >= 1) continue;
            Span<float> row = Row(x, r);
            Segment(e, inside[e], row);
            BestNorm[e] = Distance(e, row, Norm);
            row.CopyTo(Best.AsSpan(e * N, N));
        }
    }

    /// <summary>x0 + t·(best − x0), computed in double and rounded once.</summary>
    private void Segment(int example, double t, Span<float> destination)
    {
        ReadOnlySpan<float> x0 = Clean(example), best = Best.AsSpan(example * N, N);
        for (int i = 0; i < N; i++) destination[i] = (float)(x0[i] + (t * ((double)best[i] - x0[i])));
    }

    /// <summary>Clips x to the box, in place.</summary>
    public void Clip(Span<float> x)
    {
        if (double.IsFinite(Lower) || double.IsFinite(Upper)) TensorPrimitives.Clamp(x, (float)Lower, (float)Upper, x);
    }

    /// <summary>
    /// The verified results of the batch: each best example checked by a fresh forward pass at batch 1 (inside the box,
    /// classified as claimed), its distortions recomputed from the returned and the clean example.
    /// </summary>
    public void Finish(AttackResult[] results, int start, string attack, double seconds)
    {
        Span<float> output = _scratchProbabilities.AsSpan(0, Classes);
        for (int e = 0; e < Count; e++)
        {
            float[] adversarial = Best.AsSpan(e * N, N).ToArray();
            _network.ForwardFrom(_workspace, _layer, adversarial, output, 1);
            int predicted = TensorPrimitives.IndexOfMax<float>(output);
            ReadOnlySpan<float> x0 = Clean(e);
            bool inBox = true;
            double sum = 0, max = 0;
            for (int i = 0; i < N; i++)
            {
                inBox &= adversarial[i] >= Lower && adversarial[i] <= Upper;
                double d = (double)adversarial[i] - x0[i];
                sum += d * d;
                max = Math.Max(max, Math.Abs(d));
            }

            // An example the network already misclassifies is reported as such, as the L-BFGS attack does: not attacked,
            // no success, left out of distortion statistics (and not robust at any radius).
            bool misclassified = Misclassified[e];
            bool success = !misclassified && Found[e] && inBox && (Targeted(e) ? predicted == Targets[e] : predicted != Labels[e]);
            results[start + e] = new AttackResult(Indices[e], Labels[e], Targets[e], success, predicted, success ? Math.Sqrt(sum / N) : double.NaN, double.NaN, Gradients[e], adversarial, seconds / Count)
            {
                Attack = attack,
                Misclassified = misclassified,
                L2 = success ? Math.Sqrt(sum) : double.NaN,
                LInf = success ? max : double.NaN,
                Forwards = Forwards[e],
                Gradients = Gradients[e],
            };
        }
    }
}
