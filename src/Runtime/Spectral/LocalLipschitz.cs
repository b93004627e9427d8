using System.Numerics.Tensors;

namespace Intriguing.Spectral;

/// <summary>
/// A data-based lower estimate of a network's Lipschitz constant: the largest local Lipschitz constant ‖J(x)‖₂ over
/// a set of examples. See <see cref="LocalLipschitz"/>.
/// </summary>
/// <param name="Largest">The largest ‖J(x)‖₂ over the examples: a lower bound of the global Lipschitz constant.</param>
/// <param name="Mean">The mean of ‖J(x)‖₂ over the examples.</param>
/// <param name="Examples">The number of examples.</param>
/// <param name="ArgMax">The index of the example with the largest norm.</param>
/// <param name="Map">What J is the Jacobian of: "centred logits" or "output".</param>
public sealed record LocalLipschitzEstimate(double Largest, double Mean, int Examples, int ArgMax, string Map);

/// <summary>
/// Local Lipschitz constants ‖J(x)‖₂ at given inputs, to set beside the upper bound of <see cref="LipschitzAnalysis"/>:
/// the global constant lies between the largest local one and the product of the per-layer bounds.
/// </summary>
/// <remarks>
/// <para><b>Networks ending in a soft-max.</b> J is the Jacobian of the centred logits z − mean(z) (the decision
/// depends only on differences of logits, which the centring keeps). Its rows come exactly from the network's own
/// input gradients: the gradient of the cross-entropy −log p_k with respect to the input is −Jᵀ_z·(e_k − p), so
/// subtracting the mean over k of these K gradients leaves −Jᵀ_z·(e_k − 𝟙/K), the k-th row of the centred Jacobian.
/// One <see cref="IClassifier.LossAndLayerGradient"/> call on a batch of K copies of x gives all of them. Since
/// ‖(I − 𝟙𝟙ᵀ/K)·J_z‖ ≤ ‖J_z‖, the result is also a lower bound of the logits' Lipschitz constant
/// (<see cref="LipschitzReport.LogitBound"/>).</para>
/// <para><b>Other networks.</b> J is the Jacobian of the output: row k is Jᵀ·e_k, from <see cref="INetwork.Backward"/>
/// on a batch of copies of x with the unit cotangents e_k.</para>
/// <para>‖J‖₂ is the largest singular value of the K × n matrix by the one-sided Jacobi SVD in double. The
/// gradients are computed in single precision, so the norms carry relative errors of order 1e-6.</para>
/// </remarks>
public static class LocalLipschitz
{
    /// <summary>Largest and mean ‖J(x)‖₂ over the <paramref name="count"/> inputs (row-major, InputLength values each).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">The inputs are shorter than count·InputLength, or count is not positive.</exception>
    public static LocalLipschitzEstimate Estimate(INetwork network, ReadOnlySpan<float> inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (count < 1) throw new ArgumentException($"count is {count}; at least one example is needed.", nameof(count));
        int n = network.InputLength;
        if (inputs.Length < (long)count * n)
        {
            throw new ArgumentException($"Expected {count}·{n} input values, got {inputs.Length}.", nameof(inputs));
        }

        IClassifier? classifier = network as IClassifier;
        bool softmax = classifier is not null;
        int k = network.OutputLength;
        NetworkWorkspace ws = network.CreateWorkspace(k);
        float[] batch = new float[k * n], rows = new float[k * n], outputs = new float[k * k], cotangents = new float[k * k];
        float[] gradient = softmax ? [] : new float[network.ParameterBufferLength];
        int[] labels = new int[k];
        for (int i = 0; i < k; i++)
        {
            labels[i] = i;
            cotangents[i * k + i] = 1;
        }

        double[] jacobian = new double[k * n];
        double largest = 0, sum = 0;
        int argMax = 0;
        for (int e = 0; e < count; e++)
        {
            ReadOnlySpan<float> x = inputs.Slice(e * n, n);
            for (int i = 0; i < k; i++) x.CopyTo(batch.AsSpan(i * n, n));
            if (softmax)
            {
                classifier!.LossAndLayerGradient(ws, 0, batch, labels, k, rows);
                // Row k of the centred Jacobian: −(g_k − mean_j g_j).
                for (int c = 0; c < n; c++)
                {
                    double mean = 0;
                    for (int i = 0; i < k; i++) mean += rows[i * n + c];
                    mean /= k;
                    for (int i = 0; i < k; i++) jacobian[i * n + c] = mean - rows[i * n + c];
                }
            }
            else
            {
                network.Forward(ws, batch, outputs, k);
                network.Backward(ws, cotangents, gradient, rows);
                for (int i = 0; i < k * n; i++) jacobian[i] = rows[i];
            }

            double norm = TensorPrimitives.MaxMagnitude<double>(jacobian) == 0 ? 0 : JacobiSvd.SingularValues(jacobian, k, n)[0];
            sum += norm;
            if (norm > largest)
            {
                largest = norm;
                argMax = e;
            }
        }

        return new LocalLipschitzEstimate(largest, sum / count, count, argMax, softmax ? "centred logits" : "output");
    }
}
