namespace Intriguing.Optimization;

/// <summary>
/// The Moré–Thuente line search (MINPACK-2 <c>dcsrch</c>/<c>dcstep</c>, as used by L-BFGS-B 3.0): finds a step
/// satisfying the strong Wolfe conditions f(stp) ≤ f(0) + ftol·stp·f'(0) and |f'(stp)| ≤ gtol·|f'(0)|.
/// </summary>
/// <remarks>
/// Reverse communication: <see cref="Start"/> with f(0), f'(0) and the first trial step, then evaluate at
/// <see cref="Step"/> and call <see cref="Next"/> until it returns something other than
/// <see cref="LineSearchTask.Evaluate"/>. A mutable struct with no references, so it lives inside the solver.
/// Reference: J. J. Moré and D. J. Thuente, "Line search algorithms with guaranteed sufficient decrease",
/// ACM TOMS 20 (1994) 286–307.
/// </remarks>
internal struct MoreThuenteLineSearch
{
    private const double XTrapLower = 1.1;
    private const double XTrapUpper = 4.0;

    private double _ftol, _gtol, _xtol, _stpmin;
    private bool _brackt;
    private int _stage;
    private double _ginit, _gtest, _gx, _gy, _finit, _fx, _fy, _stx, _sty, _stmin, _stmax, _width, _width1;

    /// <summary>The step at which the caller must evaluate next (or the accepted step).</summary>
    public double Step;

    /// <summary>Begins a search. Returns <see cref="LineSearchTask.Error"/> on invalid input.</summary>
    public LineSearchTask Start(double f, double g, double stp, double ftol, double gtol, double xtol,
        double stpmin, double stpmax)
    {
        Step = stp;
        if (stp < stpmin || stp > stpmax || g >= 0 || ftol < 0 || gtol < 0 || xtol < 0 || stpmin < 0 || stpmax < stpmin)
            return LineSearchTask.Error;
        _ftol = ftol;
        _gtol = gtol;
        _xtol = xtol;
        _stpmin = stpmin;
        _brackt = false;
        _stage = 1;
        _finit = f;
        _ginit = g;
        _gtest = ftol * g;
        _width = stpmax - stpmin;
        _width1 = _width / 0.5;
        _stx = 0;
        _fx = f;
        _gx = g;
        _sty = 0;
        _fy = f;
        _gy = g;
        _stmin = 0;
        _stmax = stp + XTrapUpper * stp;
        return LineSearchTask.Evaluate;
    }

    /// <summary>Takes f and f' at <see cref="Step"/>; returns what to do next (and updates <see cref="Step"/>).</summary>
    public LineSearchTask Next(double f, double g, double stpmax)
    {
        double stp = Step;
        double ftest = _finit + stp * _gtest;
        if (_stage == 1 && f <= ftest && g >= 0)
            _stage = 2;

        // Tests for warnings, then for convergence (the last one that holds wins, as in dcsrch).
        LineSearchTask task = LineSearchTask.Evaluate;
        if (_brackt && (stp <= _stmin || stp >= _stmax))
            task = LineSearchTask.WarningRounding;
        if (_brackt && _stmax - _stmin <= _xtol * _stmax)
            task = LineSearchTask.WarningXtol;
        if (stp == stpmax && f <= ftest && g <= _gtest)
            task = LineSearchTask.WarningStpMax;
        if (stp == _stpmin && (f > ftest || g >= _gtest))
            task = LineSearchTask.WarningStpMin;
        if (f <= ftest && Math.Abs(g) <= _gtol * (-_ginit))
            task = LineSearchTask.Converged;
        if (task != LineSearchTask.Evaluate)
            return task;

        // In the first stage use the modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0) while it is
        // lower than at the best point but has not yet shown sufficient decrease.
        if (_stage == 1 && f <= _fx && f > ftest)
        {
            double fm = f - stp * _gtest;
            double fxm = _fx - _stx * _gtest;
            double fym = _fy - _sty * _gtest;
            double gm = g - _gtest;
            double gxm = _gx - _gtest;
            double gym = _gy - _gtest;
            Dcstep(ref _stx, ref fxm, ref gxm, ref _sty, ref fym, ref gym, ref stp, fm, gm, ref _brackt, _stmin, _stmax);
            _fx = fxm + _stx * _gtest;
            _fy = fym + _sty * _gtest;
            _gx = gxm + _gtest;
            _gy = gym + _gtest;
        }
        else
        {
            Dcstep(ref _stx, ref _fx, ref _gx, ref _sty, ref _fy, ref _gy, ref stp, f, g, ref _brackt, _stmin, _stmax);
        }

        // Decide whether a bisection step is needed (the interval did not shrink enough).
        if (_brackt)
        {
            if (Math.Abs(_sty - _stx) >= 0.66 * _width1)
                stp = _stx + 0.5 * (_sty - _stx);
            _width1 = _width;
            _width = Math.Abs(_sty - _stx);
        }

        if (_brackt)
        {
            _stmin = Math.Min(_stx, _sty);
            _stmax = Math.Max(_stx, _sty);
        }
        else
        {
            _stmin = stp + XTrapLower * (stp - _stx);
            _stmax = stp + XTrapUpper * (stp - _stx);
        }

        stp = Math.Max(stp, _stpmin);
        stp = Math.Min(stp, stpmax);

        // Unusual termination ahead: use the best point found so far.
        if ((_brackt && (stp <= _stmin || stp >= _stmax)) || (_brackt && _stmax - _stmin <= _xtol * _stmax))
            stp = _stx;

        Step = stp;
        return LineSearchTask.Evaluate;
    }

    /// <summary>The best step found so far (the lower end of the safeguarding interval).</summary>
    public readonly double BestStep => _stx;

    /// <summary>
    /// One safeguarded step of the search: updates the interval [stx, sty] that contains a step satisfying the
    /// conditions and computes a new trial step stp from cubic and quadratic interpolants (dcstep).
    /// </summary>
    private static void Dcstep(ref double stx, ref double fx, ref double dx, ref double sty, ref double fy,
        ref double dy, ref double stp, double fp, double dp, ref bool brackt, double stpmin, double stpmax)
    {
        double sgnd = dp * (dx / Math.Abs(dx));
        double stpf;

        if (fp > fx)
        {
            // Case 1: higher function value. The minimum is bracketed.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
            if (stp < stx)
                gamma = -gamma;
            double p = (gamma - dx) + theta;
            double q = ((gamma - dx) + gamma) + dp;
            double r = p / q;
            double stpc = stx + r * (stp - stx);
            double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
            stpf = Math.Abs(stpc - stx) < Math.Abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
            brackt = true;
        }
        else if (sgnd < 0)
        {
            // Case 2: lower function value and derivatives of opposite sign. The minimum is bracketed.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
            if (stp > stx)
                gamma = -gamma;
            double p = (gamma - dp) + theta;
            double q = ((gamma - dp) + gamma) + dx;
            double r = p / q;
            double stpc = stp + r * (stx - stp);
            double stpq = stp + (dp / (dp - dx)) * (stx - stp);
            stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
            brackt = true;
        }
        else if (Math.Abs(dp) < Math.Abs(dx))
        {
            // Case 3: lower function value, derivatives of the same sign, and the derivative magnitude decreases.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt(Math.Max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
            if (stp > stx)
                gamma = -gamma;
            double p = (gamma - dp) + theta;
            double q = (gamma + (dx - dp)) + gamma;
            double r = p / q;
            double stpc;
            if (r < 0 && gamma != 0)
                stpc = stp + r * (stx - stp);
            else if (stp > stx)
                stpc = stpmax;
            else
                stpc = stpmin;
            double stpq = stp + (dp / (dp - dx)) * (stx - stp);

            if (brackt)
            {
                // A minimizer lies between stp and sty: take the step closer to stp, but not too close to sty.
                stpf = Math.Abs(stpc - stp) < Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = stp > stx
                    ? Math.Min(stp + 0.66 * (sty - stp), stpf)
                    : Math.Max(stp + 0.66 * (sty - stp), stpf);
            }
            else
            {
                // A minimizer lies beyond stp: take the farther step, within [stpmin, stpmax].
                stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = Math.Min(stpmax, stpf);
                stpf = Math.Max(stpmin, stpf);
            }
        }
        else
        {
            // Case 4: lower function value, derivatives of the same sign, derivative magnitude does not decrease.
            if (brackt)
            {
                double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
                double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dy), Math.Abs(dp)));
                double gamma = s * Math.Sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
                if (stp > sty)
                    gamma = -gamma;
                double p = (gamma - dp) + theta;
                double q = ((gamma - dp) + gamma) + dy;
                double r = p / q;
                stpf = stp + r * (sty - stp);
            }
            else
            {
                stpf = stp > stx ? stpmax : stpmin;
            }
        }

        // Update the interval which contains a minimizer.
        if (fp > fx)
        {
            sty = stp;
            fy = fp;
            dy = dp;
        }
        else
        {
            if (sgnd < 0)
            {
                sty = stx;
                fy = fx;
                dy = dx;
            }
            stx = stp;
            fx = fp;
            dx = dp;
        }

        stp = stpf;
    }
}

/// <summary>What <see cref="MoreThuenteLineSearch"/> asks for.</summary>
internal enum LineSearchTask
{
    /// <summary>Evaluate f and f' at the new step.</summary>
    Evaluate,
    /// <summary>The strong Wolfe conditions hold at the step.</summary>
    Converged,
    /// <summary>Rounding errors prevent progress; the step is the best found.</summary>
    WarningRounding,
    /// <summary>The relative width of the bracket is below xtol.</summary>
    WarningXtol,
    /// <summary>The step is at its upper bound with sufficient decrease and negative slope.</summary>
    WarningStpMax,
    /// <summary>The step is at its lower bound.</summary>
    WarningStpMin,
    /// <summary>Invalid input to <see cref="MoreThuenteLineSearch.Start"/>.</summary>
    Error,
}
