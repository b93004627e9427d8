using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Optimization;

/// <summary>
/// A reusable L-BFGS-B solver for min f(x) subject to l ≤ x ≤ u (any bound may be infinite; with no finite bound
/// it is plain limited-memory BFGS). One instance owns all work arrays for dimension n, so after construction a
/// minimisation allocates nothing; it is not thread-safe — use one solver per thread.
/// </summary>
/// <remarks>
/// <para>
/// The algorithm is L-BFGS-B 3.0 (R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm for
/// bound constrained optimization", SIAM J. Sci. Comput. 16 (1995) 1190–1208; J. L. Morales and J. Nocedal,
/// "Remark on algorithm 778", ACM TOMS 38 (2011) 7:1–7:4), the code behind SciPy's <c>L-BFGS-B</c>. Each
/// iteration:
/// </para>
/// <list type="number">
/// <item>finds the generalized Cauchy point along the projected steepest-descent path x − t·g using the compact
/// representation B = θI − W M Wᵀ of the limited-memory BFGS matrix (W = [Y, θS]) — skipped when unconstrained;</item>
/// <item>minimises the quadratic model over the variables that are free at the Cauchy point (direct primal method,
/// via a factorization of the 2m×2m matrix K), projects the Newton point onto the box and, if that gives an uphill
/// direction, backtracks to the box instead (the 2011 remark);</item>
/// <item>runs the Moré–Thuente line search (strong Wolfe, ftol = 1e-3, gtol = 0.9, xtol = 0.1) along the segment to
/// that point, restricted to the box;</item>
/// <item>stores the correction pair (s, y) unless sᵀy ≤ ε·(−gᵀs), and refactors the middle matrix.</item>
/// </list>
/// <para>
/// Deviations from the Fortran code, none of which change the iterates of a well-behaved run: trial points are
/// clamped to the box (against rounding in x + stp·d); a NaN or infinite f or gradient at a trial point halves the
/// step towards the best point of the line search instead of entering the interpolation; the evaluation limit is
/// hard (never exceeded); cancellation, the callback and an exception from the objective leave x at the last
/// accepted iterate.
/// </para>
/// <para>
/// Everything is double precision. There is deliberately no float overload: a float objective (a network) should
/// convert x and the gradient at its boundary — for a 784-pixel image two short copies per evaluation, negligible
/// next to the network — while double keeps the curvature pairs (sᵀy, the 2m×2m factorizations) accurate when
/// f has converged to many digits.
/// </para>
/// </remarks>
public sealed partial class LbfgsbSolver
{
    private const double Epsilon = 2.220446049250313e-16; // machine epsilon of double (Fortran epsilon(1d0))
    private const double BigStep = 1e10;
    private const double LineSearchFtol = 1e-3;
    private const double LineSearchGtol = 0.9;
    private const double LineSearchXtol = 0.1;

    private readonly int _n;
    private readonly int _m;
    private readonly LbfgsbOptions _options;

    // Bounds (±∞ where absent) and their kind: 0 none, 1 lower only, 2 both, 3 upper only (Fortran nbd).
    private readonly double[] _lower, _upper;
    private readonly int[] _nbd;

    // n-vectors: gradient, Cauchy/subspace point z, search direction d, previous x (t), previous g (r),
    // reduced gradient / subspace step (rsub), projection backup (xp), breakpoints (tBreak).
    private readonly double[] _g, _z, _d, _t, _r, _rsub, _xp, _tBreak;

    // n-vectors of ints: variable status (iwhere), free-then-active ordering (index), entering/leaving
    // variables (indx2), breakpoint ordering (iorder).
    private readonly int[] _iwhere, _index, _indx2, _iorder;

    // Free set as dense masks (1 where free, else 0, and the complement), so that the products over the free or
    // active variables run as dense vector loops instead of gathers through index.
    private readonly double[] _freeMask, _activeMask;

    // The next breakpoints of the Cauchy search in increasing order: t, position in tBreak; count and next unused.
    private readonly double[] _batchT = new double[BreakpointBatch];
    private readonly int[] _batchQ = new int[BreakpointBatch];
    private int _batchCount, _batchNext;

    // Limited-memory matrices. S and Y are n×m column-major (column j contiguous); SY, SS, WT are m×m and
    // WN, WN1 are 2m×2m, all column-major; wa is a 8m scratch vector.
    private readonly double[] _ws, _wy, _sy, _ss, _wt, _wn, _wn1, _wa;

    // Set by FormT for Bmv: syRatio(i, k) = SY(i, k) / SY(k, k) (i > k) and sqrtDiag(i) = √SY(i, i).
    private readonly double[] _syRatio, _sqrtDiag;

    // Per-run state.
    private int _col, _head, _itail, _iupdat;
    private double _theta;
    private bool _updatd, _cnstnd, _boxed;
    private int _nfree, _nenter, _ileave;
    private int _iter, _nfgv;
    private MoreThuenteLineSearch _lineSearch;

    /// <summary>Creates a solver for problems with <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">Number of variables n (≥ 1).</param>
    /// <param name="options">Settings; <see langword="null"/> means <see cref="LbfgsbOptions.Default"/>.</param>
    public LbfgsbSolver(int dimension, LbfgsbOptions? options = null)
    {
        if (dimension < 1)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1.");
        options ??= LbfgsbOptions.Default;
        options.Validate();
        _options = options;
        _n = dimension;
        _m = options.HistorySize;
        int n = _n, m = _m;

        _lower = new double[n];
        _upper = new double[n];
        _nbd = new int[n];
        _g = new double[n];
        _z = new double[n];
        _d = new double[n];
        _t = new double[n];
        _r = new double[n];
        _rsub = new double[n];
        _xp = new double[n];
        _tBreak = new double[n];
        _iwhere = new int[n];
        _index = new int[n];
        _freeMask = new double[n];
        _activeMask = new double[n];
        _indx2 = new int[n];
        _iorder = new int[n];
        _ws = new double[checked(n * m)];
        _wy = new double[checked(n * m)];
        _sy = new double[m * m];
        _syRatio = new double[m * m];
        _sqrtDiag = new double[m];
        _ss = new double[m * m];
        _wt = new double[m * m];
        _wn = new double[4 * m * m];
        _wn1 = new double[4 * m * m];
        _wa = new double[8 * m];
    }

    /// <summary>Number of variables.</summary>
    public int Dimension => _n;

    /// <summary>The settings this solver was created with.</summary>
    public LbfgsbOptions Options => _options;

    /// <summary>Minimises <paramref name="objective"/> without bounds (L-BFGS).</summary>
    /// <param name="objective">Returns f and fills the gradient.</param>
    /// <param name="x">On entry the starting point; on exit the best point found (see the result's reason).</param>
    /// <param name="callback">Optional; called after every iteration, returns false to stop.</param>
    /// <param name="cancellationToken">Checked before every evaluation; when signalled the solver returns
    /// <see cref="LbfgsbStopReason.Cancelled"/> with x at the last accepted iterate.</param>
    /// <exception cref="LbfgsbObjectiveException">The objective threw (x then holds the last accepted iterate).</exception>
    public LbfgsbResult Minimize(Objective objective, Span<double> x, LbfgsbCallback? callback = null,
        CancellationToken cancellationToken = default) =>
        Minimize(objective, x, default, default, callback, cancellationToken);

    /// <summary>Minimises <paramref name="objective"/> subject to <paramref name="lower"/> ≤ x ≤ <paramref name="upper"/>.</summary>
    /// <param name="objective">Returns f and fills the gradient. It is only ever called at points inside the box.</param>
    /// <param name="x">On entry the starting point (projected onto the box first); on exit the best point found.</param>
    /// <param name="lower">Lower bounds (length n, −∞ for none), or empty for no lower bounds.</param>
    /// <param name="upper">Upper bounds (length n, +∞ for none), or empty for no upper bounds.</param>
    /// <param name="callback">Optional; called after every iteration, returns false to stop.</param>
    /// <param name="cancellationToken">Checked before every evaluation; when signalled the solver returns
    /// <see cref="LbfgsbStopReason.Cancelled"/> with x at the last accepted iterate.</param>
    /// <exception cref="LbfgsbObjectiveException">The objective threw (x then holds the last accepted iterate).</exception>
    public LbfgsbResult Minimize(Objective objective, Span<double> x, ReadOnlySpan<double> lower,
        ReadOnlySpan<double> upper, LbfgsbCallback? callback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (x.Length != _n)
            throw new ArgumentException($"x has length {x.Length}; this solver was created for dimension {_n}.", nameof(x));
        if (lower.Length != 0 && lower.Length != _n)
            throw new ArgumentException($"lower has length {lower.Length}; expected {_n} or 0 (no lower bounds).", nameof(lower));
        if (upper.Length != 0 && upper.Length != _n)
            throw new ArgumentException($"upper has length {upper.Length}; expected {_n} or 0 (no upper bounds).", nameof(upper));
        for (int i = 0; i < _n; i++)
        {
            if (!double.IsFinite(x[i]))
                throw new ArgumentException($"x[{i}] is {x[i]}; the starting point must be finite.", nameof(x));
            double l = lower.Length == 0 ? double.NegativeInfinity : lower[i];
            double u = upper.Length == 0 ? double.PositiveInfinity : upper[i];
            if (double.IsNaN(l) || l == double.PositiveInfinity)
                throw new ArgumentException($"lower[{i}] is {l}; a lower bound must be a number < +∞ (−∞ for none).", nameof(lower));
            if (double.IsNaN(u) || u == double.NegativeInfinity)
                throw new ArgumentException($"upper[{i}] is {u}; an upper bound must be a number > −∞ (+∞ for none).", nameof(upper));
            if (l > u)
                throw new ArgumentException($"lower[{i}] = {l} exceeds upper[{i}] = {u}.", nameof(lower));
            _lower[i] = l;
            _upper[i] = u;
            bool hasL = l != double.NegativeInfinity, hasU = u != double.PositiveInfinity;
            _nbd[i] = hasL ? (hasU ? 2 : 1) : (hasU ? 3 : 0);
        }

        return Run(objective, x, callback, cancellationToken);
    }

    private LbfgsbResult Run(Objective objective, Span<double> x, LbfgsbCallback? callback, CancellationToken ct)
    {
        int n = _n;
        double[] g = _g;
        double pgtol = _options.ProjectedGradientTolerance;
        double tol = _options.ReductionFactor * Epsilon;
        int maxEvaluations = _options.MaxEvaluations;

        _iter = 0;
        _nfgv = 0;
        _nfree = n;
        _nenter = 0;
        _ileave = n;
        _freeMask.AsSpan().Fill(1.0);
        _activeMask.AsSpan().Clear();
        ResetMemory();
        Active(x);

        if (ct.IsCancellationRequested)
            return new LbfgsbResult(LbfgsbStopReason.Cancelled, double.NaN, 0, 0, double.NaN);

        double f = Evaluate(objective, x, inLineSearch: false);
        if (!double.IsFinite(f) || !AllFinite(g))
            return new LbfgsbResult(LbfgsbStopReason.Abnormal, f, 0, _nfgv, double.NaN);

        double sbgnrm = ProjectedGradientNorm(x);
        if (sbgnrm <= pgtol)
            return Result(LbfgsbStopReason.ConvergedProjectedGradient, f, sbgnrm);

        while (true)
        {
            // Search direction: generalized Cauchy point, then subspace minimisation over the free variables.
            int info = 0;
            bool wrk;
            if (!_cnstnd && _col > 0)
            {
                // Unconstrained with curvature information: the Cauchy point is not needed.
                x.CopyTo(_z);
                wrk = _updatd;
            }
            else
            {
                info = Cauchy(x, sbgnrm);
                if (info != 0)
                {
                    // Singular triangular system: refresh the limited memory and restart the iteration.
                    ResetMemory();
                    continue;
                }
                wrk = FreeVariables();
            }

            if (_nfree != 0 && _col != 0)
            {
                if (wrk)
                    info = FormK();
                if (info == 0)
                    info = ReducedGradient(x);
                if (info == 0)
                    info = SubspaceMinimization(x);
                if (info != 0)
                {
                    ResetMemory();
                    continue;
                }
            }

            TensorPrimitives.Subtract(_z, x, _d);

            // Line search along d from x.
            LineSearchOutcome outcome = LineSearch(objective, x, ref f, out double stp, out double gd, out double gdold,
                out double dtd, out double fold, ct);
            if (outcome == LineSearchOutcome.Cancelled)
                return Result(LbfgsbStopReason.Cancelled, f, ProjectedGradientNorm(x));
            if (outcome == LineSearchOutcome.EvaluationLimit)
                return Result(LbfgsbStopReason.MaxEvaluations, f, ProjectedGradientNorm(x));
            if (outcome == LineSearchOutcome.Failed)
            {
                if (_col == 0)
                {
                    _iter++;
                    return Result(LbfgsbStopReason.LineSearchFailure, f, ProjectedGradientNorm(x));
                }

                ResetMemory();
                continue;
            }

            // A new iterate.
            _iter++;
            sbgnrm = ProjectedGradientNorm(x);

            if (callback is not null)
            {
                var progress = new LbfgsbProgress(_iter, _nfgv, f, sbgnrm, x, g);
                if (!callback(in progress))
                    return Result(LbfgsbStopReason.CallbackStop, f, sbgnrm);
            }

            if (sbgnrm <= pgtol)
                return Result(LbfgsbStopReason.ConvergedProjectedGradient, f, sbgnrm);
            double scale = Math.Max(Math.Max(Math.Abs(fold), Math.Abs(f)), 1.0);
            if (fold - f <= tol * scale)
                return Result(LbfgsbStopReason.ConvergedRelativeReduction, f, sbgnrm);
            if (_iter >= _options.MaxIterations)
                return Result(LbfgsbStopReason.MaxIterations, f, sbgnrm);
            if (_nfgv >= maxEvaluations)
                return Result(LbfgsbStopReason.MaxEvaluations, f, sbgnrm);
            if (ct.IsCancellationRequested)
                return Result(LbfgsbStopReason.Cancelled, f, sbgnrm);

            // Correction pair: s = stp·d (in d), y = g − g_old (in r).
            TensorPrimitives.Subtract(g, _r, _r);
            double rr = TensorPrimitives.Dot<double>(_r, _r);
            double dr, ddum;
            if (stp == 1.0)
            {
                dr = gd - gdold;
                ddum = -gdold;
            }
            else
            {
                dr = (gd - gdold) * stp;
                TensorPrimitives.Multiply(_d, stp, _d);
                ddum = -gdold * stp;
            }

            if (dr <= Epsilon * ddum)
            {
                // Not enough curvature along s: skip the update.
                _updatd = false;
                continue;
            }

            _updatd = true;
            _iupdat++;
            UpdateMatrices(rr, dr, stp, dtd);
            if (FormT() != 0)
                ResetMemory();
        }
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
                return false;
        }

        return true;
    }

    private LbfgsbResult Result(LbfgsbStopReason reason, double f, double sbgnrm) =>
        new(reason, f, _iter, _nfgv, sbgnrm);

    private void ResetMemory()
    {
        _col = 0;
        _head = 0;
        _itail = 0;
        _theta = 1.0;
        _iupdat = 0;
        _updatd = false;
    }

    private double Evaluate(Objective objective, Span<double> x, bool inLineSearch)
    {
        double f;
        try
        {
            f = objective(x, _g);
        }
        catch (Exception ex)
        {
            if (inLineSearch)
                _t.AsSpan().CopyTo(x); // back to the last accepted iterate
            if (ex is OperationCanceledException)
                throw;
            int iteration = inLineSearch ? _iter + 1 : 0;
            int evaluation = _nfgv + 1;
            throw new LbfgsbObjectiveException(
                $"The objective threw during evaluation {evaluation} (iteration {iteration}" +
                (iteration == 0 ? ", the starting point" : "") + "); x holds the last accepted iterate.",
                iteration, evaluation, ex);
        }

        _nfgv++;
        return f;
    }

    /// <summary>
    /// Projects x onto the box and initializes the variable status (Fortran <c>active</c>): −1 never bounded,
    /// 3 fixed (l = u), 0 otherwise.
    /// </summary>
    private void Active(Span<double> x)
    {
        int n = _n;
        int[] nbd = _nbd;
        _cnstnd = false;
        _boxed = true;
        for (int i = 0; i < n; i++)
        {
            if (nbd[i] > 0)
            {
                if (nbd[i] <= 2 && x[i] <= _lower[i])
                    x[i] = _lower[i];
                else if (nbd[i] >= 2 && x[i] >= _upper[i])
                    x[i] = _upper[i];
            }

            if (nbd[i] != 2)
                _boxed = false;
            if (nbd[i] == 0)
            {
                _iwhere[i] = -1;
            }
            else
            {
                _cnstnd = true;
                _iwhere[i] = nbd[i] == 2 && _upper[i] - _lower[i] <= 0 ? 3 : 0;
            }
        }
    }

    /// <summary>Infinity norm of the projected gradient (Fortran <c>projgr</c>).</summary>
    /// <remarks>
    /// Absent bounds are ±∞, so the bounded formula serves every variable: a step down (g &gt; 0) is capped by
    /// x − l, a step up by x − u, and an infinite cap leaves g as it is.
    /// </remarks>
    private double ProjectedGradientNorm(ReadOnlySpan<double> x)
    {
        if (!_cnstnd)
            return Math.Abs(TensorPrimitives.MaxMagnitude<double>(_g));
        int n = _n, i = 0;
        ref double pg = ref MemoryMarshal.GetArrayDataReference(_g);
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double pl = ref MemoryMarshal.GetArrayDataReference(_lower);
        ref double pu = ref MemoryMarshal.GetArrayDataReference(_upper);
        Vector256<double> norm = Vector256<double>.Zero;
        for (; i <= n - 4; i += 4)
        {
            Vector256<double> gi = Vector256.LoadUnsafe(ref pg, (nuint)i);
            Vector256<double> xi = Vector256.LoadUnsafe(ref px, (nuint)i);
            Vector256<double> up = Vector256.Max(xi - Vector256.LoadUnsafe(ref pu, (nuint)i), gi);
            Vector256<double> down = Vector256.Min(xi - Vector256.LoadUnsafe(ref pl, (nuint)i), gi);
            Vector256<double> projected = Vector256.ConditionalSelect(Vector256.LessThan(gi, Vector256<double>.Zero), up, down);
            norm = Vector256.Max(norm, Vector256.Abs(projected));
        }

        double result = Math.Max(Math.Max(norm[0], norm[1]), Math.Max(norm[2], norm[3]));
        for (; i < n; i++)
        {
            double gi = _g[i];
            gi = gi < 0 ? Math.Max(x[i] - _upper[i], gi) : Math.Min(x[i] - _lower[i], gi);
            result = Math.Max(result, Math.Abs(gi));
        }

        return result;
    }

    private enum LineSearchOutcome
    {
        Accepted,
        Failed,
        Cancelled,
        EvaluationLimit,
    }

    /// <summary>
    /// The line search of L-BFGS-B (Fortran <c>lnsrlb</c>) along d = z − x, with the first trial at z (stp = 1)
    /// except for the first unconstrained iteration (stp = 1/‖d‖). On any outcome but
    /// <see cref="LineSearchOutcome.Accepted"/>, x, g and f are restored to the starting iterate.
    /// </summary>
    private LineSearchOutcome LineSearch(Objective objective, Span<double> x, ref double f, out double stp,
        out double gd, out double gdold, out double dtd, out double fold, CancellationToken ct)
    {
        int n = _n;
        double[] d = _d, g = _g;
        dtd = TensorPrimitives.Dot<double>(d, d);
        double dnorm = Math.Sqrt(dtd);

        // Largest step that keeps x + stp·d inside the box.
        double stpmx = BigStep;
        if (_cnstnd)
        {
            if (_iter == 0)
            {
                stpmx = 1.0;
            }
            else
            {
                stpmx = Math.Min(stpmx, LargestStep(x, d));
            }
        }

        stp = _iter == 0 && !_boxed ? Math.Min(1.0 / dnorm, stpmx) : Math.Min(1.0, stpmx);
        x.CopyTo(_t);
        g.CopyTo(_r);
        fold = f;
        gd = TensorPrimitives.Dot<double>(g, d);
        gdold = gd;
        if (!(gd < 0))
            return LineSearchOutcome.Failed; // not a descent direction

        LineSearchTask task = _lineSearch.Start(f, gd, stp, LineSearchFtol, LineSearchGtol, LineSearchXtol, 0.0, stpmx);
        if (task == LineSearchTask.Error)
            return LineSearchOutcome.Failed;

        int maxls = _options.MaxLineSearchSteps;
        int ifun = 0;
        while (task == LineSearchTask.Evaluate)
        {
            int iback = ifun;
            ifun++;
            if (iback >= maxls)
                return Restore(x, ref f, fold, LineSearchOutcome.Failed);

            stp = _lineSearch.Step;
            if (stp == 1.0)
                _z.AsSpan().CopyTo(x);
            else
                TensorPrimitives.MultiplyAdd(d, stp, _t, x);
            if (_cnstnd)
            {
                // Against rounding in t + stp·d: the objective is only ever called inside the box.
                TensorPrimitives.Max(x, _lower, x);
                TensorPrimitives.Min(x, _upper, x);
            }

            if (ct.IsCancellationRequested)
                return Restore(x, ref f, fold, LineSearchOutcome.Cancelled);
            if (_nfgv >= _options.MaxEvaluations)
                return Restore(x, ref f, fold, LineSearchOutcome.EvaluationLimit);

            f = Evaluate(objective, x, inLineSearch: true);
            gd = TensorPrimitives.Dot<double>(g, d);
            if (!double.IsFinite(f) || !double.IsFinite(gd))
            {
                // Back off towards the best step so far; never go beyond the new step again.
                double best = _lineSearch.BestStep;
                double shrunk = best + 0.5 * (stp - best);
                if (!(shrunk > 0) || shrunk == stp)
                    return Restore(x, ref f, fold, LineSearchOutcome.Failed);
                stpmx = shrunk;
                _lineSearch.Step = shrunk;
                continue;
            }

            task = _lineSearch.Next(f, gd, stpmx);
        }

        stp = _lineSearch.Step;
        return LineSearchOutcome.Accepted;
    }

    /// <summary>
    /// The largest t with l ≤ x + t·d ≤ u: the least of (l − x)/d over d &lt; 0 and (u − x)/d over d &gt; 0 (absent
    /// bounds are ±∞ and give +∞), 0 if a variable at its bound would move out.
    /// </summary>
    private double LargestStep(ReadOnlySpan<double> x, ReadOnlySpan<double> d)
    {
        int n = _n, i = 0;
        ref double pd = ref MemoryMarshal.GetReference(d);
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double pl = ref MemoryMarshal.GetArrayDataReference(_lower);
        ref double pu = ref MemoryMarshal.GetArrayDataReference(_upper);
        Vector256<double> inf = Vector256.Create(double.PositiveInfinity), zero = Vector256<double>.Zero;
        Vector256<double> least = inf;
        for (; i <= n - 4; i += 4)
        {
            Vector256<double> di = Vector256.LoadUnsafe(ref pd, (nuint)i);
            Vector256<double> xi = Vector256.LoadUnsafe(ref px, (nuint)i);
            Vector256<double> room = Vector256.ConditionalSelect(Vector256.LessThan(di, zero),
                Vector256.LoadUnsafe(ref pl, (nuint)i) - xi, Vector256.LoadUnsafe(ref pu, (nuint)i) - xi);
            Vector256<double> t = Vector256.ConditionalSelect(Vector256.Equals(di, zero), inf, room / di);
            least = Vector256.Min(least, t);
        }

        double result = Math.Min(Math.Min(least[0], least[1]), Math.Min(least[2], least[3]));
        for (; i < n; i++)
        {
            double di = d[i];
            if (di != 0)
                result = Math.Min(result, ((di < 0 ? _lower[i] : _upper[i]) - x[i]) / di);
        }

        return result <= 0 ? 0 : result; // −0 or 0: a variable at its bound would leave the box
    }

    private LineSearchOutcome Restore(Span<double> x, ref double f, double fold, LineSearchOutcome outcome)
    {
        _t.AsSpan().CopyTo(x);
        _r.AsSpan().CopyTo(_g);
        f = fold;
        return outcome;
    }
}
