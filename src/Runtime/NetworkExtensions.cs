using System.Numerics.Tensors;
using Intriguing.Data;
using Intriguing.Spectral;

namespace Intriguing;

/// <summary>A prediction with its certificate: no perturbation of L2 norm below <see cref="RadiusL2"/> changes it.</summary>
/// <param name="Label">The predicted class (largest logit).</param>
/// <param name="LogitMargin">Its logit minus the runner-up's.</param>
/// <param name="RadiusL2">
/// The certified L2 radius: by bound propagation (CROWN, <see cref="Certification.Certifier"/>) for an
/// <see cref="Certification.ICertifiable"/> network, else margin / (√2·L) with L the global bound from input to logits.
/// </param>
/// <param name="RadiusRms">The same radius as an RMS distortion, RadiusL2 / √n (n input values), comparable with attack distortions.</param>
public sealed record CertifiedPrediction(int Label, double LogitMargin, double RadiusL2, double RadiusRms);

/// <summary>One-call conveniences on any network: outputs, classes and certified radii of single samples or data sets.</summary>
/// <remarks>Each call makes its own workspace; in loops over many samples, create one workspace and call the network.</remarks>
public static class NetworkExtensions
{
    /// <summary>The network's output for one sample.</summary>
    /// <param name="network">Any network.</param>
    /// <param name="input">The sample (<see cref="INetwork.InputLength"/> values).</param>
    /// <returns>The <see cref="INetwork.OutputLength"/> outputs.</returns>
    public static float[] Predict(this INetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        float[] output = new float[network.OutputLength];
        network.Forward(network.CreateWorkspace(1), input, output, 1);
        return output;
    }

    /// <summary>The class of one sample: the index of the largest output (the first on ties).</summary>
    /// <param name="network">A classifier.</param>
    /// <param name="input">The sample.</param>
    /// <returns>The class.</returns>
    public static int Classify(this IClassifier network, ReadOnlySpan<float> input) => TensorPrimitives.IndexOfMax<float>(Predict(network, input));

    /// <summary>The class of every sample of <paramref name="data"/>, in batches.</summary>
    /// <param name="network">A classifier.</param>
    /// <param name="data">Samples of the network's input length.</param>
    /// <param name="batch">Samples per forward pass.</param>
    /// <returns>One class per sample.</returns>
    public static int[] Classify(this IClassifier network, Dataset data, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleLength != network.InputLength) throw new ArgumentException($"{data.Name} has samples of {data.SampleLength} values; {network.Name} reads {network.InputLength}.", nameof(data));
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        batch = Math.Min(batch, Math.Max(1, data.Count));
        NetworkWorkspace ws = network.CreateWorkspace(batch);
        float[] outputs = new float[batch * network.OutputLength];
        int[] classes = new int[data.Count];
        for (int start = 0; start < data.Count; start += batch)
        {
            int n = Math.Min(batch, data.Count - start);
            network.Forward(ws, data.Samples.AsSpan(start * data.SampleLength, n * data.SampleLength), outputs.AsSpan(0, n * network.OutputLength), n);
            for (int s = 0; s < n; s++) classes[start + s] = TensorPrimitives.IndexOfMax<float>(outputs.AsSpan(s * network.OutputLength, network.OutputLength));
        }

        return classes;
    }

    /// <summary>
    /// The prediction of one sample with its certified L2 radius: by CROWN bound propagation when the network is
    /// <see cref="Certification.ICertifiable"/> and no <paramref name="report"/> is given (inside the box [0, 1] when the
    /// sample lies in it, else over the whole ball; to a relative tolerance of 1e-3; much tighter), else from the global Lipschitz bound:
    /// <see cref="LipschitzReport.CertifiedRadius"/> of the margin between the two largest logits.
    /// </summary>
    /// <param name="network">A classifier whose last layer is the soft-max (its logits are the activation below it).</param>
    /// <param name="input">The sample.</param>
    /// <param name="report">The network's global bounds (<see cref="LipschitzAnalysis.Analyze"/>) to use the global certificate; when null, CROWN for a certifiable network, else the bounds computed here (which costs far more than the prediction).</param>
    /// <returns>The prediction and its radius in the L2 and the RMS norm.</returns>
    public static CertifiedPrediction Certify(this IClassifier network, ReadOnlySpan<float> input, LipschitzReport? report = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (report is null && network is Certification.ICertifiable certifiable)
        {
            int logitsLayer = network.LayerCount - 1;
            float[] z = new float[network.ActivationLength(logitsLayer)];
            NetworkWorkspace workspace = network.CreateWorkspace(1);
            network.ForwardTo(workspace, logitsLayer, input, z, 1);
            int predicted = TensorPrimitives.IndexOfMax<float>(z);
            double best = double.PositiveInfinity;
            for (int i = 0; i < z.Length; i++) if (i != predicted) best = Math.Min(best, (double)z[predicted] - z[i]);
            // In the pixel box when the sample lies in it, else in the whole ball.
            bool inBox = TensorPrimitives.Min(input) >= 0 && TensorPrimitives.Max(input) <= 1;
            var options = new Certification.CertifyOptions { Box = inBox ? (0, 1) : (double.NegativeInfinity, double.PositiveInfinity) };
            Certification.CertifiedRadius r = Certification.Certifier.Radius(certifiable, certifiable.CreateBoundWorkspace(), workspace, input, predicted, options);
            return new CertifiedPrediction(predicted, best, r.Radius, r.Radius / Math.Sqrt(network.InputLength));
        }

        report ??= LipschitzAnalysis.Analyze(network);
        int below = network.LayerCount - 1;
        float[] logits = new float[network.ActivationLength(below)];
        network.ForwardTo(network.CreateWorkspace(1), below, input, logits, 1);
        int label = TensorPrimitives.IndexOfMax<float>(logits);
        float runnerUp = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            if (i != label && logits[i] > runnerUp) runnerUp = logits[i];
        }

        double margin = logits.Length == 1 ? double.PositiveInfinity : (double)logits[label] - runnerUp;
        double radius = report.CertifiedRadius(margin);
        return new CertifiedPrediction(label, margin, radius, radius / Math.Sqrt(network.InputLength));
    }
}
