using Intriguing.Data;

namespace Intriguing.Runtime.Tests.Adversarial;

/// <summary>
/// A hand-written linear soft-max classifier z = W·x + b, p = softmax(z), implementing the classifier contract with
/// plain loops (no runtime kernels): the attacks' test bench, where the minimum distortion has a closed form.
/// </summary>
internal sealed class LinearSoftmax : IClassifier
{
    private readonly float[] _parameters;

    public LinearSoftmax(int inputs, int classes, ulong seed, double weightScale = 1)
    {
        InputLength = inputs;
        OutputLength = classes;
        _parameters = new float[(classes * inputs) + classes];
        var random = new SeededRandom(seed);
        for (int i = 0; i < classes * inputs; i++) _parameters[i] = (float)(weightScale * random.NextGaussian());
        // Biases centre the logits on the middle of the box, so that nearby examples get different labels.
        for (int j = 0; j < classes; j++)
        {
            double s = 0;
            for (int i = 0; i < inputs; i++) s += _parameters[(j * inputs) + i];
            _parameters[(classes * inputs) + j] = (float)((-0.5 * s) + (0.1 * random.NextGaussian()));
        }
    }

    public string Name => "LinearSoftmax";
    public int InputLength { get; }
    public int OutputLength { get; }
    public int LayerCount => 2;
    public int ParameterBufferLength => _parameters.Length;
    public NetworkSummary Summary => new(Name, InputLength.ToString(System.Globalization.CultureInfo.InvariantCulture), []);
    public Span<float> Parameters => _parameters;

    public double Weight(int j, int i) => _parameters[(j * InputLength) + i];
    public double Bias(int j) => _parameters[(OutputLength * InputLength) + j];

    public int ActivationLength(int layer) => layer == 0 ? InputLength : OutputLength;

    public void Initialize(ulong seed) => throw new NotSupportedException();

    public NetworkWorkspace CreateWorkspace(int maxBatch = 1) => new Workspace(maxBatch, OutputLength);

    /// <summary>The logits of x in double precision.</summary>
    public double[] Logits(ReadOnlySpan<float> x)
    {
        var z = new double[OutputLength];
        Logits(x, z);
        return z;
    }

    private void Logits(ReadOnlySpan<float> x, Span<double> z)
    {
        for (int j = 0; j < OutputLength; j++)
        {
            double s = Bias(j);
            for (int i = 0; i < InputLength; i++) s += Weight(j, i) * x[i];
            z[j] = s;
        }
    }

    /// <summary>The label of x in double precision.</summary>
    public int Predict(ReadOnlySpan<float> x)
    {
        double[] z = Logits(x);
        int best = 0;
        for (int j = 1; j < z.Length; j++)
        {
            if (z[j] > z[best]) best = j;
        }

        return best;
    }

    private void Softmax(ReadOnlySpan<float> x, Span<float> p)
    {
        Span<double> z = stackalloc double[OutputLength];
        Logits(x, z);
        double max = double.NegativeInfinity, sum = 0;
        foreach (double v in z) max = Math.Max(max, v);
        for (int j = 0; j < z.Length; j++) sum += Math.Exp(z[j] - max);
        for (int j = 0; j < z.Length; j++) p[j] = (float)(Math.Exp(z[j] - max) / sum);
    }

    public void Forward(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, Span<float> outputs, int batch = 1)
    {
        var ws = (Workspace)workspace;
        for (int s = 0; s < batch; s++) Softmax(inputs.Slice(s * InputLength, InputLength), outputs.Slice(s * OutputLength, OutputLength));
        outputs[..(batch * OutputLength)].CopyTo(ws.Probabilities);
        ws.Set(batch);
    }

    public void ForwardTo(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> inputs, Span<float> activations, int batch = 1)
    {
        if (layer != 0) throw new NotSupportedException();
        inputs[..(batch * InputLength)].CopyTo(activations);
    }

    public void ForwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, Span<float> outputs, int batch = 1)
    {
        if (layer != 0) throw new NotSupportedException();
        Forward(workspace, activations, outputs, batch);
    }

    public void Backward(NetworkWorkspace workspace, ReadOnlySpan<float> outputGradient, Span<float> gradient, Span<float> inputGradient = default) => throw new NotSupportedException();

    public void BackwardFrom(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activationGradient, Span<float> gradient, Span<float> inputGradient = default) => throw new NotSupportedException();

    public float AddWeightDecay(Span<float> gradient) => 0;

    public float LossAndGradient(NetworkWorkspace workspace, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch, Span<float> gradient, Span<float> inputGradient = default) => throw new NotSupportedException();

    public float LossAndLayerGradient(NetworkWorkspace workspace, int layer, ReadOnlySpan<float> activations, ReadOnlySpan<int> labels, int batch, Span<float> activationGradient, Span<float> gradient = default)
    {
        if (layer != 0) throw new NotSupportedException();
        var ws = (Workspace)workspace;
        double loss = 0;
        Span<float> p = stackalloc float[OutputLength];
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> x = activations.Slice(s * InputLength, InputLength);
            Softmax(x, p);
            p.CopyTo(ws.Probabilities.AsSpan(s * OutputLength, OutputLength));
            loss -= Math.Log(p[labels[s]]);
            if (activationGradient.IsEmpty) continue;

            // ∂CE/∂x = Wᵀ(p − e_label).
            Span<float> g = activationGradient.Slice(s * InputLength, InputLength);
            for (int i = 0; i < InputLength; i++)
            {
                double v = 0;
                for (int j = 0; j < OutputLength; j++) v += Weight(j, i) * (p[j] - (j == labels[s] ? 1.0 : 0.0));
                g[i] = (float)v;
            }
        }

        ws.Set(batch);
        return (float)loss;
    }

    /// <summary>
    /// The exact least distortion that changes the label of x (untargeted, no box): min over j ≠ y of
    /// (z_y − z_j)/‖w_y − w_j‖_q with q the dual norm (2 for L2, 1 for L∞), with the minimising label.
    /// </summary>
    public (double Distance, int Label) MinimumDistortion(ReadOnlySpan<float> x, int y, bool l2)
    {
        double[] z = Logits(x);
        double best = double.PositiveInfinity;
        int label = -1;
        for (int j = 0; j < OutputLength; j++)
        {
            if (j == y) continue;
            double q = 0;
            for (int i = 0; i < InputLength; i++)
            {
                double d = Weight(y, i) - Weight(j, i);
                q += l2 ? d * d : Math.Abs(d);
            }

            double distance = (z[y] - z[j]) / (l2 ? Math.Sqrt(q) : q);
            if (distance < best)
            {
                best = distance;
                label = j;
            }
        }

        return (best, label);
    }

    /// <summary>The minimiser of <see cref="MinimumDistortion"/>: x moved by its distance towards the nearest label's half-space.</summary>
    public float[] Minimiser(ReadOnlySpan<float> x, int y, bool l2)
    {
        (double d, int j) = MinimumDistortion(x, y, l2);
        double q = 0;
        for (int i = 0; i < InputLength; i++)
        {
            double w = Weight(j, i) - Weight(y, i);
            q += w * w;
        }

        var result = new float[InputLength];
        for (int i = 0; i < InputLength; i++)
        {
            double w = Weight(j, i) - Weight(y, i);
            result[i] = (float)(x[i] + (l2 ? d * w / Math.Sqrt(q) : d * Math.Sign(w)));
        }

        return result;
    }

    /// <summary>Examples with x uniform in [lo, hi], labelled by the model itself (so every one is classified correctly).</summary>
    /// <remarks>
    /// Only examples whose logit margin z_y − max_{j≠y} z_j is at least <paramref name="margin"/> are kept, so that the
    /// attacks' decision margin (10⁻³ in probability ratio, about 10⁻³ in logits) moves the boundary by less than 0.2%.
    /// </remarks>
    public Dataset Examples(int count, ulong seed, double lo = 0.25, double hi = 0.75, double margin = 0.5)
    {
        var random = new SeededRandom(seed);
        var samples = new float[count * InputLength];
        var labels = new int[count];
        for (int s = 0; s < count;)
        {
            Span<float> x = samples.AsSpan(s * InputLength, InputLength);
            for (int i = 0; i < InputLength; i++) x[i] = (float)(lo + ((hi - lo) * random.NextDouble()));
            double[] z = Logits(x);
            int y = Predict(x);
            if (Enumerable.Range(0, OutputLength).Where(j => j != y).Max(j => z[j]) > z[y] - margin) continue;
            labels[s++] = y;
        }

        return new Dataset("uniform", samples, labels, InputLength, OutputLength);
    }

    private sealed class Workspace(int maxBatch, int classes) : NetworkWorkspace(maxBatch)
    {
        public float[] Probabilities { get; } = new float[maxBatch * classes];

        private readonly int _classes = classes;

        public void Set(int batch) => LastBatch = batch;

        public override ReadOnlySpan<float> Outputs(int batch) => Probabilities.AsSpan(0, batch * _classes);
    }
}

/// <summary>
/// The exact least L2 distortion that makes a linear soft-max classify x as a target (no box): the convex program
/// min ½‖r‖² subject to (w_t − w_j)·(x + r) + b_t − b_j ≥ 0 for every j ≠ t, solved through its dual by coordinate
/// ascent in double precision (an independent reference for the targeted attacks).
/// </summary>
internal static class TargetedMinimum
{
    public static (double Distance, double[] Perturbation, double Residual) Solve(LinearSoftmax model, ReadOnlySpan<float> x, int target)
    {
        int n = model.InputLength, k = model.OutputLength;
        double[] z = model.Logits(x);
        var a = new double[k][];
        var c = new double[k];
        for (int j = 0; j < k; j++)
        {
            a[j] = new double[n];
            if (j == target) continue;
            for (int i = 0; i < n; i++) a[j][i] = model.Weight(target, i) - model.Weight(j, i);
            c[j] = z[j] - z[target];   // the increase of z_t − z_j needed
        }

        var lambda = new double[k];
        var r = new double[n];
        for (int sweep = 0; sweep < 100_000; sweep++)
        {
            double change = 0;
            for (int j = 0; j < k; j++)
            {
                if (j == target) continue;
                double ar = 0, aa = 0;
                for (int i = 0; i < n; i++)
                {
                    ar += a[j][i] * r[i];
                    aa += a[j][i] * a[j][i];
                }

                double next = Math.Max(0, lambda[j] + ((c[j] - ar) / aa));
                double d = next - lambda[j];
                if (d == 0) continue;
                lambda[j] = next;
                for (int i = 0; i < n; i++) r[i] += d * a[j][i];
                change = Math.Max(change, Math.Abs(d));
            }

            if (change < 1e-15) break;
        }

        // KKT residual: the largest constraint violation and complementary slackness λ_j·(a_j·r − c_j).
        double residual = 0;
        for (int j = 0; j < k; j++)
        {
            if (j == target) continue;
            double slack = -c[j];
            for (int i = 0; i < n; i++) slack += a[j][i] * r[i];
            residual = Math.Max(residual, Math.Max(-slack, Math.Abs(lambda[j] * slack)));
        }

        return (Math.Sqrt(r.Sum(v => v * v)), r, residual);
    }
}
