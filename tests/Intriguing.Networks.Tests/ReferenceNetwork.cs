namespace Intriguing.Networks.Tests;

/// <summary>
/// An independent, naive double-precision evaluation of any generated network, driven only by its summary
/// (layer kinds, lengths, parameter offsets, weight decay) and its parameter buffer.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly INetwork _net;

    public ReferenceNetwork(INetwork net) => _net = net;

    /// <summary>Parameters as doubles (a copy that the finite-difference code may perturb).</summary>
    public double[] Parameters() => _net.Parameters.ToArray().Select(v => (double)v).ToArray();

    /// <summary>
    /// Dropout in training mode: keep(layer, batch sample, unit). Null (the default) makes dropout the identity,
    /// as in every inference pass.
    /// </summary>
    public Func<int, int, int, bool>? DropoutMask { get; set; }

    /// <summary>Activations 0…L of one sample, starting from activation <paramref name="from"/>.</summary>
    /// <param name="p">Parameters.</param>
    /// <param name="start">Activation <paramref name="from"/> of the sample.</param>
    /// <param name="from">The activation to start from.</param>
    /// <param name="sample">The sample's index in its batch (for dropout masks).</param>
    public double[][] Forward(double[] p, double[] start, int from = 0, int sample = 0)
    {
        IReadOnlyList<LayerInfo> layers = _net.Summary.Layers;
        var acts = new double[layers.Count + 1][];
        acts[from] = start;
        for (int k = from + 1; k <= layers.Count; k++)
        {
            LayerInfo l = layers[k - 1];
            double[] x = acts[k - 1];
            double[] y = new double[l.OutputLength];
            switch (l.Kind)
            {
                case LayerKind.Dense:
                    for (int j = 0; j < l.OutputLength; j++)
                    {
                        double s = l.BiasOffset >= 0 ? p[l.BiasOffset + j] : 0;
                        for (int i = 0; i < l.InputLength; i++) s += p[l.WeightOffset + j * l.InputLength + i] * x[i];
                        y[j] = s;
                    }

                    break;
                case LayerKind.Sigmoid:
                    for (int i = 0; i < y.Length; i++) y[i] = 1 / (1 + Math.Exp(-x[i]));
                    break;
                case LayerKind.Tanh:
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(x[i]);
                    break;
                case LayerKind.ReLU:
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Max(0, x[i]);
                    break;
                case LayerKind.Dropout:
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = DropoutMask is null ? x[i] : DropoutMask(k, sample, i) ? x[i] / (1 - (double)(float)l.DropoutRate) : 0;
                    }

                    break;
                case LayerKind.Softmax:
                    double max = x.Max();
                    double sum = x.Sum(v => Math.Exp(v - max));
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Exp(x[i] - max) / sum;
                    break;
            }

            acts[k] = y;
        }

        return acts;
    }

    /// <summary>Per-sample loss from activation <paramref name="from"/>: cross-entropy (from the logits) or ½‖y − t‖².</summary>
    public double SampleLoss(double[] p, double[] start, int label, double[]? target, int from = 0, int sample = 0)
    {
        double[][] acts = Forward(p, start, from, sample);
        int L = acts.Length - 1;
        if (_net.Loss == LossKind.SoftmaxCrossEntropy)
        {
            double[] z = acts[L - 1];
            double max = z.Max();
            return Math.Log(z.Sum(v => Math.Exp(v - max))) + max - z[label];
        }

        double e = 0;
        for (int i = 0; i < acts[L].Length; i++) e += 0.5 * (acts[L][i] - target![i]) * (acts[L][i] - target[i]);
        return e;
    }

    /// <summary>Σ (λ/2)·‖W‖² over the dense layers.</summary>
    public double Penalty(double[] p)
    {
        double total = 0;
        foreach (LayerInfo l in _net.Summary.Layers.Where(l => l.Kind == LayerKind.Dense && l.WeightDecay > 0))
        {
            double s = 0;
            for (int i = 0; i < l.OutputLength * l.InputLength; i++) s += p[l.WeightOffset + i] * p[l.WeightOffset + i];
            total += 0.5 * l.WeightDecay * s;
        }

        return total;
    }

    /// <summary>The training objective: mean sample loss plus the penalty.</summary>
    public double Objective(double[] p, double[][] inputs, int[] labels, double[][]? targets)
    {
        double s = 0;
        for (int b = 0; b < inputs.Length; b++) s += SampleLoss(p, inputs[b], labels[b], targets?[b], 0, b);
        return s / inputs.Length + Penalty(p);
    }

    /// <summary>Central difference of <paramref name="f"/> at <paramref name="x"/>[i] with a step scaled to the value.</summary>
    public static double CentralDifference(Func<double[], double> f, double[] x, int i)
    {
        double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
        double saved = x[i];
        x[i] = saved + h;
        double fp = f(x);
        x[i] = saved - h;
        double fm = f(x);
        x[i] = saved;
        return (fp - fm) / (2 * h);
    }
}
