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
                case LayerKind.Conv:
                    Convolve(l, p, x, y);
                    break;
                case LayerKind.MaxPool:
                {
                    LayerGeometry g = l.Geometry!;
                    for (int c = 0; c < g.OutputChannels; c++)
                    {
                        for (int i = 0; i < g.OutputHeight; i++)
                        {
                            for (int j = 0; j < g.OutputWidth; j++)
                            {
                                double best = double.NegativeInfinity;
                                for (int u = 0; u < g.Kernel; u++)
                                {
                                    for (int v = 0; v < g.Kernel; v++) best = Math.Max(best, x[(c * g.InputHeight + i * g.Stride + u) * g.InputWidth + j * g.Stride + v]);
                                }

                                y[(c * g.OutputHeight + i) * g.OutputWidth + j] = best;
                            }
                        }
                    }

                    break;
                }

                case LayerKind.AvgPool:
                {
                    LayerGeometry g = l.Geometry!;
                    for (int c = 0; c < g.OutputChannels; c++)
                    {
                        for (int i = 0; i < g.OutputHeight; i++)
                        {
                            for (int j = 0; j < g.OutputWidth; j++)
                            {
                                double total = 0;
                                for (int u = 0; u < g.Kernel; u++)
                                {
                                    for (int v = 0; v < g.Kernel; v++) total += x[(c * g.InputHeight + i * g.Stride + u) * g.InputWidth + j * g.Stride + v];
                                }

                                y[(c * g.OutputHeight + i) * g.OutputWidth + j] = total / (g.Kernel * g.Kernel);
                            }
                        }
                    }

                    break;
                }

                case LayerKind.ContrastNorm:
                {
                    LayerGeometry g = l.Geometry!;
                    int hw = g.InputHeight * g.InputWidth;
                    for (int q = 0; q < hw; q++)
                    {
                        double s = (float)l.Norm!.Epsilon;
                        for (int c = 0; c < g.InputChannels; c++) s += x[c * hw + q] * x[c * hw + q];
                        for (int c = 0; c < g.InputChannels; c++) y[c * hw + q] = x[c * hw + q] / Math.Pow(s, (float)l.Norm.Gamma);
                    }

                    break;
                }

                case LayerKind.LocalResponseNorm:
                {
                    LayerGeometry g = l.Geometry!;
                    NormParameters n = l.Norm!;
                    int hw = g.InputHeight * g.InputWidth, half = n.Size / 2;
                    for (int q = 0; q < hw; q++)
                    {
                        for (int c = 0; c < g.InputChannels; c++)
                        {
                            double s = 0;
                            for (int cc = c - half; cc <= c + half; cc++)
                            {
                                if (cc >= 0 && cc < g.InputChannels) s += x[cc * hw + q] * x[cc * hw + q];
                            }

                            y[c * hw + q] = x[c * hw + q] / Math.Pow((float)n.K + (float)n.Alpha * s, (float)n.Beta);
                        }
                    }

                    break;
                }

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

    /// <summary>
    /// The convolution by its definition, one output at a time:
    /// y[d, i, j] = b[d] + Σ_c Σ_u Σ_v W[d, c, u, v] · x[c, i·s − p + u, j·s − p + v], zero or wrapped outside the input.
    /// </summary>
    public static void Convolve(LayerInfo l, double[] p, double[] x, double[] y) => Convolve(l.Geometry!, p, l.WeightOffset, l.BiasOffset, x, y);

    /// <summary>The same with weights <c>[D][C][k][k]</c> at <paramref name="weightOffset"/> of <paramref name="p"/> and the bias at <paramref name="biasOffset"/> (−1: none).</summary>
    public static void Convolve(LayerGeometry g, double[] p, int weightOffset, int biasOffset, double[] x, double[] y)
    {
        int k = g.Kernel;
        for (int d = 0; d < g.OutputChannels; d++)
        {
            for (int i = 0; i < g.OutputHeight; i++)
            {
                for (int j = 0; j < g.OutputWidth; j++)
                {
                    double sum = biasOffset >= 0 ? p[biasOffset + d] : 0;
                    for (int c = 0; c < g.InputChannels; c++)
                    {
                        for (int u = 0; u < k; u++)
                        {
                            for (int v = 0; v < k; v++)
                            {
                                int r = i * g.Stride - g.Padding + u, q = j * g.Stride - g.Padding + v;
                                if (g.PaddingMode == PaddingMode.Circular)
                                {
                                    r = ((r % g.InputHeight) + g.InputHeight) % g.InputHeight;
                                    q = ((q % g.InputWidth) + g.InputWidth) % g.InputWidth;
                                }
                                else if (r < 0 || r >= g.InputHeight || q < 0 || q >= g.InputWidth)
                                {
                                    continue;
                                }

                                sum += p[weightOffset + ((d * g.InputChannels + c) * k + u) * k + v] * x[(c * g.InputHeight + r) * g.InputWidth + q];
                            }
                        }
                    }

                    y[(d * g.OutputHeight + i) * g.OutputWidth + j] = sum;
                }
            }
        }
    }

    /// <summary>Number of weights of a dense or convolution layer.</summary>
    public static int WeightCount(LayerInfo l) => l.Kind == LayerKind.Conv
        ? l.Geometry!.OutputChannels * l.Geometry.InputChannels * l.Geometry.Kernel * l.Geometry.Kernel
        : l.OutputLength * l.InputLength;

    /// <summary>Number of biases of a dense or convolution layer (0 without).</summary>
    public static int BiasCount(LayerInfo l) => l.BiasOffset < 0 ? 0 : l.Kind == LayerKind.Conv ? l.Geometry!.OutputChannels : l.OutputLength;

    /// <summary>Per-sample loss from activation <paramref name="from"/>: cross-entropy (from the logits) or ½‖y − t‖².</summary>
    public double SampleLoss(double[] p, double[] start, int label, double[]? target, int from = 0, int sample = 0)
    {
        double[][] acts = Forward(p, start, from, sample);
        int L = acts.Length - 1;
        if (_net is IClassifier)
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
        foreach (LayerInfo l in _net.Summary.Layers.Where(l => l.WeightOffset >= 0 && l.WeightDecay > 0))
        {
            double s = 0;
            for (int i = 0; i < WeightCount(l); i++) s += p[l.WeightOffset + i] * p[l.WeightOffset + i];
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

    /// <summary>
    /// Whether <paramref name="f"/> has a kink at <paramref name="x"/>[i]: its forward and backward differences differ by
    /// more than a smooth function's could (relative to <paramref name="scale"/>, the size of the gradient).
    /// </summary>
    public static bool IsKink(Func<double[], double> f, double[] x, int i, double scale)
    {
        double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
        double saved = x[i];
        double f0 = f(x);
        x[i] = saved + h;
        double fp = f(x);
        x[i] = saved - h;
        double fm = f(x);
        x[i] = saved;
        return Math.Abs((fp - f0) / h - (f0 - fm) / h) > 1e-2 * Math.Max(scale, 1e-3);
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
