using System.Numerics.Tensors;
using Intriguing.Adversarial;

namespace Intriguing.Certification;

/// <summary>
/// Certified radii: per example, the largest ε for which the network's bounds (<see cref="ICertifiable"/>) prove
/// every margin positive over the ε-ball intersected with the input box, found by a safeguarded regula falsi to a
/// relative tolerance. Deterministic: an example's radius does not depend on the thread count or the batch.
/// </summary>
public static class Certifier
{
    /// <summary>
    /// Certifies <paramref name="count"/> examples (rows of <paramref name="inputs"/>) in parallel. A misclassified
    /// example gets radius 0.
    /// </summary>
    public static CertifiedRadius[] Certify(ICertifiable network, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int count, CertifyOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new CertifyOptions();
        options.Validate();
        int n = network.InputLength;
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (inputs.Length < (long)count * n) throw new ArgumentException($"{count} examples need {(long)count * n} input values, not {inputs.Length}.", nameof(inputs));
        if (labels.Length < count) throw new ArgumentException($"{count} examples need {count} labels, not {labels.Length}.", nameof(labels));
        for (int i = 0; i < count; i++)
        {
            if ((uint)labels[i] >= (uint)network.OutputLength) throw new ArgumentException($"Label {labels[i]} of example {i} is outside 0…{network.OutputLength - 1}.", nameof(labels));
        }

        float[] x = inputs.Slice(0, count * n).ToArray();
        int[] y = labels.Slice(0, count).ToArray();
        var results = new CertifiedRadius[count];
        int done = 0;
        // One pair of workspaces per worker, as in AttackRunner; each example's radius depends on nothing else.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        Parallel.For(0, count, parallel, () => (Bounds: network.CreateBoundWorkspace(), Workspace: network.CreateWorkspace(1)), (i, _, local) =>
        {
            results[i] = Radius(network, local.Bounds, local.Workspace, local.Bounds.Outputs, x.AsSpan(i * n, n), y[i], options);
            progress?.Report(Interlocked.Increment(ref done));
            return local;
        }, _ => { });
        return results;
    }

    /// <summary>The certified radius of one example (see the class), using the caller's workspaces.</summary>
    /// <remarks>Allocates nothing after the workspaces are made (pass the same <paramref name="options"/> each time).</remarks>
    public static CertifiedRadius Radius(ICertifiable network, BoundWorkspace bounds, NetworkWorkspace workspace, ReadOnlySpan<float> input, int label, CertifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(bounds);
        options ??= s_defaults;
        options.Validate();
        if (input.Length != network.InputLength) throw new ArgumentException($"The input has {input.Length} values; the network takes {network.InputLength}.", nameof(input));
        if ((uint)label >= (uint)network.OutputLength) throw new ArgumentOutOfRangeException(nameof(label), label, $"The label must be in 0…{network.OutputLength - 1}.");
        return Radius(network, bounds, workspace, bounds.Outputs, input, label, options);
    }

    private static readonly CertifyOptions s_defaults = new();

    /// <summary>Whether every margin is provably positive over the region around <paramref name="input"/>.</summary>
    public static bool IsCertified(ICertifiable network, BoundWorkspace bounds, ReadOnlySpan<float> input, int label, InputRegion region, BoundMethod method = BoundMethod.Crown)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.PropagateBounds(bounds, input, region, method);
        return network.MarginLowerBound(bounds, label) > 0;
    }

    /// <summary>min over the margin rows (at the input, after a propagation at ε = 0) of margin / ‖row‖ in the dual norm.</summary>
    private static double FirstOrderRadius(BoundWorkspace bounds, int rows, int n, PerturbationNorm norm)
    {
        ReadOnlySpan<float> gradients = bounds.Rows(0, rows);
        ReadOnlySpan<double> margins = bounds.RowBounds(rows);
        double best = double.PositiveInfinity;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> g = gradients.Slice(r * n, n);
            double dual = norm == PerturbationNorm.L2 ? TensorPrimitives.Norm(g) : TensorPrimitives.SumOfMagnitudes(g);
            if (dual > 0) best = Math.Min(best, margins[r] / dual);
        }

        return best;
    }

    private static CertifiedRadius Radius(ICertifiable network, BoundWorkspace bounds, NetworkWorkspace workspace, float[] output, ReadOnlySpan<float> x, int label, CertifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(bounds);
        (double boxLower, double boxUpper) = options.Box ?? LbfgsAttack.DefaultBox(network, 0);
        network.Forward(workspace, x, output);
        int prediction = TensorPrimitives.IndexOfMax<float>(output);
        PerturbationNorm norm = options.Norm;
        if (prediction != label) return new CertifiedRadius(label, prediction, 0, norm, 0);

        // The largest distance from x to a point of the box: beyond it the region no longer grows.
        double limit = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double far = Math.Max(x[i] - boxLower, boxUpper - x[i]);
            limit = norm == PerturbationNorm.L2 ? limit + far * far : Math.Max(limit, far);
        }

        if (norm == PerturbationNorm.L2) limit = Math.Sqrt(limit);
        if (!double.IsFinite(limit)) limit = 1e30; // an unbounded box: the search stops at a failure long before
        int evaluations = 0;
        bounds.MarginRefinements = options.MarginRefinements;
        bounds.SlopeSteps = options.SlopeSteps;
        double Margin(ReadOnlySpan<float> input, double epsilon)
        {
            evaluations++;
            // At ε = 0 every bound is a point, so the intermediate tightening has nothing to do.
            BoundMethod method = epsilon == 0 && options.Method == BoundMethod.Crown ? BoundMethod.CrownInterval : options.Method;
            network.PropagateBounds(bounds, input, new InputRegion(norm, epsilon, boxLower, boxUpper), method);
            return network.MarginLowerBound(bounds, label);
        }

        double f0 = Margin(x, 0);
        if (!(f0 > 0)) return new CertifiedRadius(label, prediction, 0, norm, evaluations);

        // First guess: 0.6 of the first-order distance to the decision boundary, min_j m_j / ‖∇m_j‖ (dual norm). At ε = 0
        // the margin rows carried down to the input are exactly the margins' gradients.
        double linear = FirstOrderRadius(bounds, network.OutputLength - 1, x.Length, norm);
        double guess0 = double.IsFinite(linear) && linear > 0 ? Math.Min(0.6 * linear, limit) : limit / 100;
        double lo = 0, fLo = f0, hi, fHi;
        double f1 = Margin(x, guess0);
        if (f1 > 0)
        {
            lo = guess0;
            fLo = f1;
            while (true)
            {
                double next = Math.Min(1.3 * lo, limit);
                double f = Margin(x, next);
                if (f > 0)
                {
                    lo = next;
                    fLo = f;
                    if (next >= limit) return new CertifiedRadius(label, prediction, limit, norm, evaluations, WholeBox: true);
                    if (evaluations > 200) return new CertifiedRadius(label, prediction, lo, norm, evaluations);
                    continue;
                }

                hi = next;
                fHi = f;
                break;
            }
        }
        else
        {
            hi = guess0;
            fHi = f1;
        }

        // Bracket [lo, hi]: lo certified (f > 0), hi not. Regula falsi with the Illinois modification, every step
        // forced at least 1/16 into the bracket, until hi ≤ lo·(1 + tolerance).
        int side = 0;
        while (hi - lo > options.RelativeTolerance * lo || lo == 0)
        {
            double guess = lo - fLo * (hi - lo) / (fHi - fLo);
            double margin = (hi - lo) / 16;
            if (!(guess >= lo + margin)) guess = lo + margin;
            if (!(guess <= hi - margin)) guess = hi - margin;
            if (guess <= lo || guess >= hi) break;
            double f = Margin(x, guess);
            if (f > 0)
            {
                lo = guess;
                fLo = f;
                if (side == 1) fHi /= 2;
                side = 1;
            }
            else
            {
                hi = guess;
                fHi = f;
                if (side == -1) fLo /= 2;
                side = -1;
            }

            if (evaluations > 200) break;
        }

        return new CertifiedRadius(label, prediction, lo, norm, evaluations);
    }
}
