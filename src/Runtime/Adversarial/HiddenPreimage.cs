using Intriguing.Optimization;

namespace Intriguing.Adversarial;

/// <summary>Settings of <see cref="HiddenPreimage.Find"/>.</summary>
public sealed record PreimageOptions
{
    /// <summary>The default settings.</summary>
    public static PreimageOptions Default { get; } = new();

    /// <summary>
    /// Weight λ of ‖r‖² against the squared residual ‖φ_k(x + r) − h′‖² (both in their own units). Default 0: the
    /// preimage L-BFGS-B reaches from the clean input (see docs/advtrain-architectures.md); a positive λ trades
    /// residual for a smaller r. Must be finite and ≥ 0.
    /// </summary>
    public double Lambda { get; init; }

    /// <summary>Lower bound of every input value; default the network's input box (<see cref="LbfgsAttack.DefaultBox"/>, 0 for MNIST).</summary>
    public double? Lower { get; init; }

    /// <summary>Upper bound of every input value; default the network's input box (1 for MNIST).</summary>
    public double? Upper { get; init; }

    /// <summary>Iterations of L-BFGS-B (default 1000; at least 1); the evaluations are limited to twice as many.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Correction pairs of L-BFGS-B (default 10; at least 1).</summary>
    public int HistorySize { get; init; } = 10;

    /// <summary>Throws unless every setting is in range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must be finite and at least 0.");
        if (Lower is { } lo && Upper is { } hi && !(lo < hi)) throw new ArgumentOutOfRangeException(nameof(Upper), hi, $"The box needs Lower < Upper (Lower is {lo}).");
        if (Lower is double.NaN) throw new ArgumentOutOfRangeException(nameof(Lower), Lower, "Lower must be a number.");
        if (Upper is double.NaN) throw new ArgumentOutOfRangeException(nameof(Upper), Upper, "Upper must be a number.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxIterations, int.MaxValue / 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(HistorySize, 1);
    }
}

/// <summary>An input whose activation approximates a given hidden activation: the outcome of <see cref="HiddenPreimage.Find"/>.</summary>
/// <param name="Input">The input x′ = x + r found (inside the box).</param>
/// <param name="Distortion">RMS of r = x′ − x over the input values.</param>
/// <param name="Residual">‖φ_k(x′) − h′‖₂, the part of the target that was not reached.</param>
/// <param name="TargetDistance">‖h′ − φ_k(x)‖₂, the size of the hidden perturbation δ.</param>
/// <param name="Iterations">Iterations of L-BFGS-B.</param>
/// <param name="Evaluations">Forward-and-backward passes.</param>
/// <param name="StopReason">Why L-BFGS-B stopped.</param>
public sealed record PreimageResult(float[] Input, double Distortion, double Residual, double TargetDistance, int Iterations, int Evaluations, LbfgsbStopReason StopReason)
{
    /// <summary>‖φ_k(x′) − h′‖ / ‖δ‖: 0 when the hidden perturbation is reached exactly, 1 when x′ = x; 0 when δ = 0.</summary>
    public double RelativeResidual => TargetDistance > 0 ? Residual / TargetDistance : 0;
}

/// <summary>
/// Maps a hidden-layer example back to input space: for a target activation h′ of layer k, made from a clean input x
/// (a hidden-layer adversarial example h′ = φ_k(x) + δ), finds x′ = x + r in the input box minimising
/// ½‖φ_k(x + r) − h′‖² + ½λ‖r‖² by L-BFGS-B from r = 0, with gradients from <see cref="INetwork.BackwardFrom"/>.
/// </summary>
/// <remarks>
/// The objective is scaled so that the solver's first (steepest-descent) step changes no input value by more than a
/// thousandth of the box: the iterates start near x, and with λ = 0 the result is the preimage the solver reaches
/// from x, not necessarily the nearest one (the objective is not convex, and input values on the box's faces, such as
/// MNIST's black pixels, can only move inwards).
/// Allocates its buffers per call; calls on different threads may share the network (its parameters are only read).
/// </remarks>
public static class HiddenPreimage
{
    // The largest input change of the solver's first step, as a fraction of the box: L-BFGS-B starts with a unit
    // steepest-descent step, so the objective is scaled to make the gradient at x this small.
    private const double FirstStep = 1e-3;

    /// <summary>Finds x′ = x + r in the input box with φ_k(x′) as close as possible to <paramref name="target"/>.</summary>
    /// <param name="network">The network (read only).</param>
    /// <param name="layer">The activation k of the target, 0 … <see cref="INetwork.LayerCount"/> (0: the input itself).</param>
    /// <param name="input">The clean input x (<see cref="INetwork.InputLength"/> values, inside the box).</param>
    /// <param name="target">The target activation h′ (<see cref="INetwork.ActivationLength"/>(k) values, finite).</param>
    /// <param name="options">Settings; null: <see cref="PreimageOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the solver; the result then holds the last accepted iterate.</param>
    /// <returns>The input found and how close its activation is.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length or a value that is not finite, or the input is outside the box.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> or a setting is out of range.</exception>
    public static PreimageResult Find(INetwork network, int layer, ReadOnlySpan<float> input, ReadOnlySpan<float> target, PreimageOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= PreimageOptions.Default;
        options.Validate();
        if (layer < 0 || layer > network.LayerCount) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"{network.Name} has activations 0 to {network.LayerCount}.");
        int n = network.InputLength, m = network.ActivationLength(layer);
        if (input.Length != n) throw new ArgumentException($"The input has {input.Length} values; {network.Name} takes {n}.", nameof(input));
        if (target.Length != m) throw new ArgumentException($"The target has {target.Length} values; activation {layer} of {network.Name} has {m}.", nameof(target));
        if (!AllFinite(input)) throw new ArgumentException("The input has a value that is not finite.", nameof(input));
        if (!AllFinite(target)) throw new ArgumentException("The target has a value that is not finite.", nameof(target));
        (double boxLower, double boxUpper) = LbfgsAttack.DefaultBox(network, 0);
        double lower = options.Lower ?? boxLower, upper = options.Upper ?? boxUpper;
        if (!(lower < upper)) throw new ArgumentOutOfRangeException(nameof(options), $"The box needs Lower < Upper (got {lower} and {upper}).");
        for (int i = 0; i < n; i++)
        {
            if (input[i] < lower || input[i] > upper) throw new ArgumentException($"Input value {i} ({input[i]}) is outside the box [{lower}, {upper}].", nameof(input));
        }

        NetworkWorkspace ws = network.CreateWorkspace(1);
        float[] x0 = input.ToArray(), h = target.ToArray();
        float[] xf = new float[n], act = new float[m], actGradient = new float[m], inputGradient = new float[n];

        // δ = h′ − φ_k(x), and the gradient of ½‖φ_k(x) − h′‖² at the clean input, which sets the objective's scale.
        network.ForwardTo(ws, layer, x0, act);
        double distance = 0;
        for (int j = 0; j < m; j++)
        {
            double e = (double)act[j] - h[j];
            distance += e * e;
            actGradient[j] = (float)e;
        }

        if (distance == 0) return new PreimageResult(x0, 0, 0, 0, 0, 1, LbfgsbStopReason.ConvergedProjectedGradient);
        network.BackwardFrom(ws, layer, actGradient, default, inputGradient);
        double largest = 0;
        foreach (float v in inputGradient) largest = Math.Max(largest, Math.Abs(v));
        if (!(largest > 0)) return new PreimageResult(x0, 0, Math.Sqrt(distance), Math.Sqrt(distance), 0, 1, LbfgsbStopReason.ConvergedProjectedGradient);
        double width = double.IsFinite(upper - lower) ? upper - lower : 1;
        double scale = largest / (FirstStep * width);

        double lambda = options.Lambda;
        double Objective(ReadOnlySpan<double> x, Span<double> gradient)
        {
            for (int i = 0; i < n; i++) xf[i] = (float)x[i];
            network.ForwardTo(ws, layer, xf, act);
            double f = 0;
            for (int j = 0; j < m; j++)
            {
                double e = (double)act[j] - h[j];
                f += e * e;
                actGradient[j] = (float)(e / scale);
            }

            network.BackwardFrom(ws, layer, actGradient, default, inputGradient);
            double penalty = 0;
            for (int i = 0; i < n; i++)
            {
                double r = x[i] - x0[i];
                penalty += r * r;
                gradient[i] = inputGradient[i] + lambda * r / scale;
            }

            return 0.5 * (f + lambda * penalty) / scale;
        }

        var solver = new LbfgsbSolver(n, new LbfgsbOptions
        {
            HistorySize = options.HistorySize,
            MaxIterations = options.MaxIterations,
            MaxEvaluations = 2 * options.MaxIterations,
            ProjectedGradientTolerance = 1e-6 * FirstStep,
            ReductionFactor = 10,
        });
        double[] x = new double[n], lo = new double[n], hi = new double[n];
        for (int i = 0; i < n; i++) x[i] = x0[i];
        Array.Fill(lo, lower);
        Array.Fill(hi, upper);
        LbfgsbResult result = solver.Minimize(Objective, x, lo, hi, cancellationToken: cancellationToken);

        // The result's residual and distortion at the float input actually returned.
        float[] found = new float[n];
        for (int i = 0; i < n; i++) found[i] = (float)x[i];
        network.ForwardTo(ws, layer, found, act);
        double residual = 0;
        for (int j = 0; j < m; j++) residual += Square((double)act[j] - h[j]);
        return new PreimageResult(found, Distortions.Rms(found, x0), Math.Sqrt(residual), Math.Sqrt(distance), result.Iterations, result.Evaluations + 2, result.StopReason);
    }

    private static double Square(double v) => v * v;

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) return false;
        }

        return true;
    }
}
