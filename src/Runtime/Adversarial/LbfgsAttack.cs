using System.Globalization;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Intriguing.Optimization;

namespace Intriguing.Adversarial;

/// <summary>
/// The minimum-distortion adversarial example of Szegedy et al. (Sec. 4.1): box-constrained L-BFGS on
/// <c>c·‖r‖² + CE(x + r, target)</c> with a search for the largest successful c (see <see cref="AttackOptions"/>).
/// </summary>
/// <remarks>
/// One instance owns a solver, a network workspace and all buffers: it is reusable and allocates nothing per
/// evaluation, but is not thread-safe; <see cref="AttackRunner"/> runs one per thread. Every returned example is
/// verified independently: inside the box, classified as reported by a fresh forward pass, distortion recomputed.
/// </remarks>
public sealed class LbfgsAttack
{
    private readonly IClassifier _network;
    private readonly AttackOptions _options;
    private readonly NetworkWorkspace _workspace;
    private readonly LbfgsbSolver _solver;
    private readonly Objective _objective;
    private readonly int _n;
    private readonly double[] _x, _lower, _upper, _origin;
    private readonly float[] _xf, _gf, _best, _output;
    private readonly float[] _originF;
    private readonly int[] _label = new int[1];
    private readonly double[] _start;   // where the previous run of this example ended (the warm start)
    private double _c, _bestC, _bestDistanceSquared, _margin;
    private int _evaluations, _forwards;
    private bool _hasStart;

    /// <summary>Prepares attacks on <paramref name="network"/>.</summary>
    public LbfgsAttack(IClassifier network, AttackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new AttackOptions();
        options.Validate();
        NetworkGuard.Layer(options.Layer, 0, network.LayerCount - 1, nameof(options.Layer));
        _network = network;
        _options = options;
        _n = network.ActivationLength(options.Layer);
        _workspace = network.CreateWorkspace(1);
        _solver = new LbfgsbSolver(_n, options.SolverOptions());
        _x = new double[_n];
        _lower = new double[_n];
        _upper = new double[_n];
        _origin = new double[_n];
        _start = new double[_n];
        _xf = new float[_n];
        _gf = new float[_n];
        _best = new float[_n];
        _originF = new float[_n];
        _output = new float[network.OutputLength];
        (double lo, double hi) = DefaultBox(network, options.Layer);
        Array.Fill(_lower, options.Lower ?? lo);
        Array.Fill(_upper, options.Upper ?? hi);
        Lower = options.Lower ?? lo;
        Upper = options.Upper ?? hi;
        _objective = Evaluate;
    }

    /// <summary>Length of the attacked space (784 for MNIST inputs).</summary>
    public int Dimension => _n;

    /// <summary>Lower bound of the box.</summary>
    public double Lower { get; }

    /// <summary>Upper bound of the box.</summary>
    public double Upper { get; }

    /// <summary>
    /// The box of activation <paramref name="layer"/>: [0, 1] for the input, else the output box its layer kind gives
    /// in the summary (<see cref="LayerInfo.OutputBox"/>: [0, 1] after a sigmoid or soft-max, [0, ∞) after a ReLU,
    /// [−1, 1] after tanh, unbounded after a dense layer; a dropout layer, the identity at inference, keeps the box of
    /// its input).
    /// </summary>
    public static (double Lower, double Upper) DefaultBox(INetwork network, int layer)
    {
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyList<LayerInfo> layers = network.Summary.Layers;
        while (layer > 0 && layers[layer - 1].OutputBox is { OfInput: true }) layer--;
        if (layer == 0) return (0, 1);
        return layers[layer - 1].OutputBox is { } box ? (box.Lower, box.Upper) : (double.NegativeInfinity, double.PositiveInfinity);
    }

    /// <summary>The predicted label of <paramref name="x"/> (an activation of the attacked layer).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong length or a value that is not finite.</exception>
    public int Predict(ReadOnlySpan<float> x)
    {
        if (x.Length != _n) throw new ArgumentException($"The example has {x.Length} values; the attacked space has {_n}.", nameof(x));
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i])) throw new ArgumentException($"Value {i} of the example is {x[i]}; every value must be finite.", nameof(x));
        }
        _network.ForwardFrom(_workspace, _options.Layer, x, _output);
        return TensorPrimitives.IndexOfMax<float>(_output);
    }

    /// <summary>
    /// Relative margin by which the target's probability must exceed every other one for a point to count as a success:
    /// p_target ≥ (1 + margin)·max_{j≠target} p_j. Without it the final example would sit exactly on the decision
    /// boundary, where the rounding of a different matrix kernel (a batch instead of one sample) can flip the decision.
    /// </summary>
    public const float DecisionMargin = 1e-3f;

    private static bool IsClearly(ReadOnlySpan<float> p, int target)
    {
        float other = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (i != target && p[i] > other) other = p[i];
        }

        return p[target] >= (1 + DecisionMargin) * other;
    }

    private bool ClearlyTarget(ReadOnlySpan<float> x)
    {
        _forwards++;
        _network.ForwardFrom(_workspace, _options.Layer, x, _output);
        return IsClearly(_output, _label[0]);
    }

    /// <summary>The most likely label of <paramref name="x"/> other than <paramref name="label"/> (the runner-up target).</summary>
    public int MostLikelyOther(ReadOnlySpan<float> x, int label)
    {
        _network.ForwardFrom(_workspace, _options.Layer, x, _output);
        int best = label == 0 ? 1 : 0;
        for (int i = 0; i < _output.Length; i++)
        {
            if (i != label && _output[i] > _output[best]) best = i;
        }

        return best;
    }

    /// <summary>The least distorted example that the network classifies as <paramref name="target"/>.</summary>
    /// <param name="x">The clean example (an activation of the attacked layer).</param>
    /// <param name="label">Its true label.</param>
    /// <param name="target">The target label, not <paramref name="label"/>.</param>
    /// <param name="index">Index reported in the result.</param>
    public AttackResult Targeted(ReadOnlySpan<float> x, int label, int target, int index = 0)
    {
        CheckExample(x, label);
        if ((uint)target >= (uint)_network.OutputLength) throw new ArgumentOutOfRangeException(nameof(target), target, $"The target must be in 0..{_network.OutputLength - 1}.");
        if (target == label) throw new ArgumentException("The target must differ from the true label.", nameof(target));
        var clock = Stopwatch.StartNew();
        int clean = Predict(x);
        if (clean != label)
        {
            return new AttackResult(index, label, target, false, clean, double.NaN, double.NaN, 1, x.ToArray(), clock.Elapsed.TotalSeconds) { Misclassified = true };
        }

        x.CopyTo(_originF);
        for (int i = 0; i < _n; i++) _origin[i] = x[i];
        _label[0] = target;
        _bestDistanceSquared = double.PositiveInfinity;
        _evaluations = 0;
        _forwards = 0;
        _bestC = double.NaN;
        _hasStart = false;

        // Bracket: a successful c (lo) and a failing one (hi).
        double c = _options.InitialC, lo = double.NaN, hi = double.NaN, marginLo = double.NaN, marginHi = double.NaN;
        bool ok = Run(c);
        if (ok)
        {
            lo = c;
            marginLo = _margin;
            for (int s = 0; s < _options.BracketSteps; s++)
            {
                c *= _options.GrowthFactor;
                if (!Run(c))
                {
                    hi = c;
                    marginHi = _margin;
                    break;
                }

                lo = c;
                marginLo = _margin;
            }
        }
        else
        {
            hi = c;
            marginHi = _margin;
            for (int s = 0; s < _options.BracketSteps; s++)
            {
                c /= _options.GrowthFactor;
                if (Run(c))
                {
                    lo = c;
                    marginLo = _margin;
                    break;
                }

                hi = c;
                marginHi = _margin;
            }
        }

        // Narrow the bracket towards the largest successful c.
        if (!double.IsNaN(lo) && !double.IsNaN(hi))
        {
            if (_options.InterpolateC) Interpolate(lo, hi, marginLo, marginHi);
            else
            {
                for (int s = 0; s < _options.BisectionSteps; s++)
                {
                    double mid = Math.Sqrt(lo * hi);
                    if (Run(mid)) lo = mid;
                    else hi = mid;
                }
            }
        }

        RefineAlongSegment();
        return Verify(index, label, target, _bestC, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Regula falsi with the Illinois modification on the final margin of each run as a function of ln c (positive
    /// on success, negative on failure; see <see cref="Margin"/>), at most <see cref="AttackOptions.BisectionSteps"/>
    /// runs. Each new c is kept at least <see cref="InterpolationGuard"/> of the bracket's width (in ln c) away from
    /// its ends. Stops early once the bracket is as narrow as geometric bisection would make it
    /// (GrowthFactor^(2^−BisectionSteps)), or once a successful run ends with a margin below
    /// <see cref="AttackOptions.StopMargin"/>.
    /// </summary>
    private void Interpolate(double lo, double hi, double marginLo, double marginHi)
    {
        double ulo = Math.Log(lo), uhi = Math.Log(hi);
        double resolution = Math.Log(_options.GrowthFactor) * Math.Pow(2, -_options.BisectionSteps);
        int retained = 0;   // +1: the last step kept hi (moved lo); −1: it kept lo
        for (int s = 0; s < _options.BisectionSteps && uhi - ulo > resolution; s++)
        {
            double width = uhi - ulo;
            double u = ulo + (width * marginLo / (marginLo - marginHi));
            if (!double.IsFinite(u)) u = ulo + (0.5 * width);
            u = Math.Clamp(u, ulo + (InterpolationGuard * width), uhi - (InterpolationGuard * width));
            if (Run(Math.Exp(u)))
            {
                ulo = u;
                marginLo = _margin;
                if (_margin < _options.StopMargin) break;   // the end point is nearly on the boundary
                if (retained == 1) marginHi *= 0.5;
                retained = 1;
            }
            else
            {
                uhi = u;
                marginHi = _margin;
                if (retained == -1) marginLo *= 0.5;
                retained = -1;
            }
        }
    }

    /// <summary>Least distance of an interpolated c from the ends of the bracket, as a fraction of its width in ln c.</summary>
    private const double InterpolationGuard = 0.1;

    /// <summary>
    /// ln p_target − ln((1 + <see cref="DecisionMargin"/>)·max_{j≠target} p_j): non-negative exactly when
    /// <see cref="IsClearly"/> holds, and continuous in the example (probabilities floored at 1e-38).
    /// </summary>
    private static double Margin(ReadOnlySpan<float> p, int target)
    {
        float other = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (i != target && p[i] > other) other = p[i];
        }

        return Math.Log(Math.Max(p[target], 1e-38)) - Math.Log((1 + DecisionMargin) * Math.Max(other, 1e-38));
    }

    /// <summary>
    /// Pulls the best example back towards the clean one along the segment between them, as far as it stays
    /// classified as the target (bisection on the segment parameter, <see cref="RefinementSteps"/> steps). The
    /// penalised objective stops slightly beyond the decision boundary; this puts the example on it.
    /// </summary>
    private void RefineAlongSegment()
    {
        if (double.IsPositiveInfinity(_bestDistanceSquared)) return;
        double inside = 1, outside = 0;
        for (int s = 0; s < RefinementSteps; s++)
        {
            double t = 0.5 * (inside + outside);
            for (int i = 0; i < _n; i++) _xf[i] = (float)(_originF[i] + t * (_best[i] - _originF[i]));
            if (ClearlyTarget(_xf)) inside = t;
            else outside = t;
        }

        if (inside < 1)
        {
            for (int i = 0; i < _n; i++) _best[i] = (float)(_originF[i] + inside * (_best[i] - _originF[i]));
        }
    }

    /// <summary>Throws unless <paramref name="x"/> has the attacked space's length and lies in the box, and <paramref name="label"/> is a class.</summary>
    private void CheckExample(ReadOnlySpan<float> x, int label)
    {
        if (x.Length != _n) throw new ArgumentException($"The example has {x.Length} values; the attacked space has {_n}.", nameof(x));
        if ((uint)label >= (uint)_network.OutputLength) throw new ArgumentOutOfRangeException(nameof(label), label, $"The label must be in 0..{_network.OutputLength - 1}.");
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]) || !(x[i] >= Lower && x[i] <= Upper))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Value {i} of the example is {x[i]}, outside the attack's box [{Lower}, {Upper}]; give AttackOptions.Lower and Upper (the data's range)."), nameof(x));
            }
        }
    }

    /// <summary>Bisection steps of the final refinement along the segment from the clean example.</summary>
    public const int RefinementSteps = 30;

    /// <summary>
    /// The untargeted minimum distortion: the least distorted success over every wrong target.
    /// </summary>
    /// <param name="x">The clean example (an activation of the attacked layer), classified as <paramref name="label"/>.</param>
    /// <param name="label">Its true label, which the network must predict for it.</param>
    /// <param name="index">Index reported in the result.</param>
    /// <exception cref="ArgumentException">The example does not fit the box, the label is out of range, or the network does not classify the example as <paramref name="label"/> (it is then adversarial already, at distortion 0).</exception>
    public AttackResult Untargeted(ReadOnlySpan<float> x, int label, int index = 0)
    {
        CheckExample(x, label);
        int predicted = Predict(x);
        if (predicted != label)
        {
            throw new ArgumentException($"The network classifies the example as {predicted}, not as its label {label}; an untargeted attack needs a correctly classified example.", nameof(label));
        }

        AttackResult? best = null;
        int evaluations = 0, forwards = 0;
        double seconds = 0;
        for (int t = 0; t < _network.OutputLength; t++)
        {
            if (t == label) continue;
            AttackResult r = Targeted(x, label, t, index);
            evaluations += r.Evaluations;
            forwards += r.Forwards;
            seconds += r.Seconds;
            if (r.Success && (best is null || !best.Success || r.Distortion < best.Distortion)) best = r;
            else if (best is null) best = r;
        }

        return best! with { Evaluations = evaluations, Gradients = evaluations, Forwards = forwards, Seconds = seconds };
    }

    /// <summary>
    /// One L-BFGS-B run at penalty <paramref name="c"/> (its final margin left in _margin), from the clean example or, with
    /// <see cref="AttackOptions.WarmStart"/>, from where the previous run of this example ended. The run succeeds if its final point (the
    /// minimiser) is classified as the target; successful points met along the way (line-search trials included)
    /// still count for the best example, but not for the search over c.
    /// </summary>
    private bool Run(double c)
    {
        _c = c;
        Array.Copy(_options.WarmStart && _hasStart ? _start : _origin, _x, _n);
        _solver.Minimize(_objective, _x, _lower, _upper);
        Array.Copy(_x, _start, _n);
        _hasStart = true;
        for (int i = 0; i < _n; i++) _xf[i] = (float)_x[i];
        bool success = ClearlyTarget(_xf);
        _margin = Margin(_output, _label[0]);
        return success;
    }

    /// <summary>f(x′) = c·‖x′ − x‖² + CE(x′, target); records x′ if it is classified as the target and closer than the best so far.</summary>
    private double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        _evaluations++;
        double distanceSquared = ToSingleAndDistance(x, _origin, _xf);
        double loss = _network.LossAndLayerGradient(_workspace, _options.Layer, _xf, _label, 1, _gf);
        CombineGradient(_gf, x, _origin, 2 * _c, gradient);

        if (distanceSquared < _bestDistanceSquared && IsClearly(_workspace.Outputs(1), _label[0]))
        {
            _bestDistanceSquared = distanceSquared;
            _bestC = _c;
            Array.Copy(_xf, _best, _n);
        }

        return _c * distanceSquared + loss;
    }

    /// <summary>
    /// xf[i] = (float)x[i] and returns Σ (x[i] − origin[i])², in 256-bit vectors (four partial sums, then the
    /// scalar tail): the summation order depends only on the length.
    /// </summary>
    internal static double ToSingleAndDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> origin, Span<float> xf)
    {
        int n = x.Length, i = 0;
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double po = ref MemoryMarshal.GetReference(origin);
        ref float pf = ref MemoryMarshal.GetReference(xf);
        if (origin.Length < n || xf.Length < n) throw new ArgumentException("The buffers are shorter than x.");
        Vector256<double> s0 = Vector256<double>.Zero, s1 = s0;
        for (; i <= n - 8; i += 8)
        {
            Vector256<double> a = Vector256.LoadUnsafe(ref px, (nuint)i);
            Vector256<double> b = Vector256.LoadUnsafe(ref px, (nuint)(i + 4));
            Vector256.Narrow(a, b).StoreUnsafe(ref pf, (nuint)i);
            Vector256<double> da = a - Vector256.LoadUnsafe(ref po, (nuint)i);
            Vector256<double> db = b - Vector256.LoadUnsafe(ref po, (nuint)(i + 4));
            s0 += da * da;
            s1 += db * db;
        }

        double sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++)
        {
            xf[i] = (float)x[i];
            double d = x[i] - origin[i];
            sum += d * d;
        }

        return sum;
    }

    /// <summary>gradient[i] = g[i] + twoC·(x[i] − origin[i]), in 256-bit vectors.</summary>
    internal static void CombineGradient(ReadOnlySpan<float> g, ReadOnlySpan<double> x, ReadOnlySpan<double> origin, double twoC, Span<double> gradient)
    {
        int n = x.Length, i = 0;
        if (origin.Length < n || g.Length < n || gradient.Length < n) throw new ArgumentException("The buffers are shorter than x.");
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double po = ref MemoryMarshal.GetReference(origin);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref double pd = ref MemoryMarshal.GetReference(gradient);
        Vector256<double> c = Vector256.Create(twoC);
        for (; i <= n - 8; i += 8)
        {
            Vector256<float> gv = Vector256.LoadUnsafe(ref pg, (nuint)i);
            (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(gv);
            (lo + (c * (Vector256.LoadUnsafe(ref px, (nuint)i) - Vector256.LoadUnsafe(ref po, (nuint)i)))).StoreUnsafe(ref pd, (nuint)i);
            (hi + (c * (Vector256.LoadUnsafe(ref px, (nuint)(i + 4)) - Vector256.LoadUnsafe(ref po, (nuint)(i + 4))))).StoreUnsafe(ref pd, (nuint)(i + 4));
        }

        for (; i < n; i++) gradient[i] = g[i] + (twoC * (x[i] - origin[i]));
    }

    /// <summary>Checks the best example independently and builds the result.</summary>
    private AttackResult Verify(int index, int label, int target, double c, double seconds)
    {
        if (double.IsPositiveInfinity(_bestDistanceSquared))
        {
            return new AttackResult(index, label, target, false, Predict(_originF), double.NaN, double.NaN, _evaluations, _originF.ToArray(), seconds) { Gradients = _evaluations, Forwards = _forwards };
        }

        float[] adversarial = _best.ToArray();
        bool inBox = true;
        double sum = 0, max = 0;
        for (int i = 0; i < _n; i++)
        {
            inBox &= adversarial[i] >= Lower && adversarial[i] <= Upper;
            double d = (double)adversarial[i] - _originF[i];
            sum += d * d;
            max = Math.Max(max, Math.Abs(d));
        }

        int predicted = Predict(adversarial);
        bool success = inBox && predicted == target;
        return new AttackResult(index, label, target, success, predicted, success ? Math.Sqrt(sum / _n) : double.NaN, c, _evaluations, adversarial, seconds)
        {
            L2 = success ? Math.Sqrt(sum) : double.NaN,
            LInf = success ? max : double.NaN,
            Gradients = _evaluations,
            Forwards = _forwards,
        };
    }
}
