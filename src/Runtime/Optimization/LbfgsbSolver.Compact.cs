using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Intriguing.Optimization;

// The compact limited-memory machinery of L-BFGS-B 3.0: generalized Cauchy point (cauchy, hpsolb), free set
// (freev), the 2m×2m matrices (matupd, formt, formk, bmv), the reduced gradient (cmprlb) and the subspace
// minimisation with projection (subsm). Small matrices are column-major: A(i, j) = a[i + j·lda], 0-based;
// S and Y column p (circular position) is ws[p·n … p·n + n).
public sealed partial class LbfgsbSolver
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int NextPointer(int p) => p + 1 == _m ? 0 : p + 1;

    private Span<double> SColumn(int p) => _ws.AsSpan(p * _n, _n);

    private Span<double> YColumn(int p) => _wy.AsSpan(p * _n, _n);

    /// <summary>
    /// Generalized Cauchy point (Fortran <c>cauchy</c>): the first local minimiser of the quadratic model along the
    /// projected steepest-descent path x(t) = P(x − t·g), examining the breakpoints in increasing order with a heap.
    /// Writes the point to z, the status of every variable to iwhere, and c = Wᵀ(z − x) to wa[2m..4m).
    /// </summary>
    private int Cauchy(ReadOnlySpan<double> x, double sbgnrm)
    {
        int n = _n, m = _m, col = _col, col2 = 2 * _col;
        double theta = _theta;
        double[] d = _d, xcp = _z, g = _g, l = _lower, u = _upper, tb = _tBreak;
        int[] nbd = _nbd, iwhere = _iwhere, iorder = _iorder;
        Span<double> p = _wa.AsSpan(0, col2);
        Span<double> c = _wa.AsSpan(2 * m, col2);
        Span<double> wbp = _wa.AsSpan(4 * m, col2);
        Span<double> v = _wa.AsSpan(6 * m, col2);

        if (sbgnrm <= 0)
        {
            x.CopyTo(xcp);
            return 0;
        }

        // Status and breakpoint of every variable; d = −g on the variables that can move.
        bool bnded = true;
        int nfree = n; // variables that move but never meet a bound fill iorder from the end
        int nbreak = 0, ibkmin = 0;
        double bkmin = 0, f1 = 0;
        if (_boxed)
        {
            // Every variable has both bounds: the same statuses without unpredictable branches. A variable that can
            // move has g ≠ 0 (else it is −3), so it always meets a bound: tl/g if it moves down, tu/(−g) if up.
            bkmin = double.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                if (iwhere[i] == 3)
                {
                    d[i] = 0;
                    continue;
                }

                double gi = g[i];
                double tl = x[i] - l[i], tu = u[i] - x[i];
                bool atLower = tl <= 0, atUpper = tu <= 0;
                int w = atLower ? (gi >= 0 ? 1 : 0) : atUpper ? (gi <= 0 ? 2 : 0) : (gi == 0 ? -3 : 0);
                iwhere[i] = w;
                double di = w == 0 ? -gi : 0.0;
                d[i] = di;
                f1 -= di * di;
                double ti = gi > 0 ? tl / gi : tu / (-gi);
                tb[nbreak] = ti;
                iorder[nbreak] = i;
                if (w == 0 && ti < bkmin)
                {
                    bkmin = ti;
                    ibkmin = nbreak;
                }

                nbreak += w == 0 ? 1 : 0;
            }

            if (nbreak == 0)
                bkmin = 0;
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                double neggi = -g[i];
                double tl = 0, tu = 0;
                if (iwhere[i] != 3 && iwhere[i] != -1)
                {
                    if (nbd[i] <= 2)
                        tl = x[i] - l[i];
                    if (nbd[i] >= 2)
                        tu = u[i] - x[i];
                    bool xlower = nbd[i] <= 2 && tl <= 0;
                    bool xupper = nbd[i] >= 2 && tu <= 0;
                    iwhere[i] = 0;
                    if (xlower)
                    {
                        if (neggi <= 0)
                            iwhere[i] = 1;
                    }
                    else if (xupper)
                    {
                        if (neggi >= 0)
                            iwhere[i] = 2;
                    }
                    else if (Math.Abs(neggi) <= 0)
                    {
                        iwhere[i] = -3;
                    }
                }

                if (iwhere[i] != 0 && iwhere[i] != -1)
                {
                    d[i] = 0;
                    continue;
                }

                d[i] = neggi;
                f1 -= neggi * neggi;
                if (nbd[i] <= 2 && nbd[i] != 0 && neggi < 0)
                {
                    iorder[nbreak] = i;
                    tb[nbreak] = tl / (-neggi);
                    if (nbreak == 0 || tb[nbreak] < bkmin)
                    {
                        bkmin = tb[nbreak];
                        ibkmin = nbreak;
                    }

                    nbreak++;
                }
                else if (nbd[i] >= 2 && neggi > 0)
                {
                    iorder[nbreak] = i;
                    tb[nbreak] = tu / neggi;
                    if (nbreak == 0 || tb[nbreak] < bkmin)
                    {
                        bkmin = tb[nbreak];
                        ibkmin = nbreak;
                    }

                    nbreak++;
                }
                else
                {
                    nfree--;
                    iorder[nfree] = i;
                    if (Math.Abs(neggi) > 0)
                        bnded = false;
                }
            }
        }

        // p = Wᵀd with W = [Y, θS].
        int pointr = _head;
        for (int j = 0; j < col; j++)
        {
            p[j] = TensorPrimitives.Dot<double>(YColumn(pointr), d);
            p[col + j] = theta * TensorPrimitives.Dot<double>(SColumn(pointr), d);
            pointr = NextPointer(pointr);
        }

        x.CopyTo(xcp);
        c.Clear();
        if (nbreak == 0 && nfree == n)
            return 0; // d = 0: x is the Cauchy point

        // f1 = gᵀd and f2 = dᵀBd = θ·dᵀd − pᵀMp: first and second derivative of the model along d at t = 0.
        double f2 = -theta * f1;
        double f2Org = f2;
        if (col > 0)
        {
            int info = Bmv(p, v);
            if (info != 0)
                return info;
            f2 -= TensorPrimitives.Dot<double>(v, p);
        }

        double dtm = -f1 / f2;
        double tsum = 0;
        bool allFixed = false;
        if (nbreak > 0)
        {
            int nleft = nbreak;
            int iter = 1, lastQ = -1;
            double tj = 0;
            while (true)
            {
                // Next breakpoint in increasing order of (t, position): the smallest is known; later ones come in
                // sorted batches of the next smallest (most iterations pass only a few of several hundred).
                double tj0 = tj;
                int ibp, q;
                if (iter == 1)
                {
                    tj = bkmin;
                    q = ibkmin;
                    _batchCount = 0;
                    _batchNext = 0;
                }
                else
                {
                    if (_batchNext == _batchCount)
                        NextBreakpoints(nbreak, tj, lastQ);
                    tj = _batchT[_batchNext];
                    q = _batchQ[_batchNext];
                    _batchNext++;
                }

                lastQ = q;
                ibp = iorder[q];

                double dt = tj - tj0;
                if (dtm < dt)
                    break; // the minimiser lies inside this segment

                // Fix variable ibp at its bound and update the derivatives for the next segment.
                tsum += dt;
                nleft--;
                iter++;
                double dibp = d[ibp];
                d[ibp] = 0;
                double zibp;
                if (dibp > 0)
                {
                    zibp = u[ibp] - x[ibp];
                    xcp[ibp] = u[ibp];
                    iwhere[ibp] = 2;
                }
                else
                {
                    zibp = l[ibp] - x[ibp];
                    xcp[ibp] = l[ibp];
                    iwhere[ibp] = 1;
                }

                if (nleft == 0 && nbreak == n)
                {
                    // Every variable is at a bound.
                    dtm = dt;
                    allFixed = true;
                    break;
                }

                double dibp2 = dibp * dibp;
                f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
                f2 -= theta * dibp2;
                if (col > 0)
                {
                    // c += dt·p; wbp = row ibp of W.
                    pointr = _head;
                    for (int j = 0; j < col; j++)
                    {
                        c[j] += dt * p[j];
                        c[col + j] += dt * p[col + j];
                        wbp[j] = _wy[ibp + pointr * n];
                        wbp[col + j] = theta * _ws[ibp + pointr * n];
                        pointr = NextPointer(pointr);
                    }

                    int info = Bmv(wbp, v);
                    if (info != 0)
                        return info;
                    double wmc = 0, wmp = 0, wmw = 0;
                    for (int j = 0; j < col2; j++)
                    {
                        wmc += c[j] * v[j];
                        wmp += p[j] * v[j];
                        wmw += wbp[j] * v[j];
                        p[j] -= dibp * wbp[j];
                    }

                    f1 += dibp * wmc;
                    f2 += 2.0 * dibp * wmp - dibp2 * wmw;
                }

                f2 = Math.Max(Epsilon * f2Org, f2);
                if (nleft > 0)
                {
                    dtm = -f1 / f2;
                    continue;
                }

                if (bnded)
                {
                    f1 = 0;
                    f2 = 0;
                    dtm = 0;
                }
                else
                {
                    dtm = -f1 / f2;
                }

                break;
            }
        }

        if (!allFixed)
        {
            if (dtm <= 0)
                dtm = 0;
            tsum += dtm;
            TensorPrimitives.MultiplyAdd(d, tsum, xcp, xcp); // move the variables not yet at a breakpoint
        }

        if (col > 0)
            TensorPrimitives.MultiplyAdd(p, dtm, c, c); // c = Wᵀ(xcp − x)
        return 0;
    }

    /// <summary>Breakpoints per sorted batch of the Cauchy search.</summary>
    private const int BreakpointBatch = 32;

    /// <summary>
    /// Fills the batch with the <see cref="BreakpointBatch"/> smallest breakpoints tBreak[q], q &lt; count, that come
    /// after (<paramref name="lastT"/>, <paramref name="lastQ"/>) in the order of (t, q), sorted in that order. Replaces
    /// the heap of the Fortran code (hpsolb), which orders equal breakpoints differently.
    /// </summary>
    private void NextBreakpoints(int count, double lastT, int lastQ)
    {
        double[] tb = _tBreak, bt = _batchT;
        int[] bq = _batchQ;
        int filled = 0;
        for (int q = 0; q < count; q++)
        {
            double t = tb[q];
            if (t < lastT || (t == lastT && q <= lastQ))
                continue; // already passed
            if (filled == BreakpointBatch && !(t < bt[BreakpointBatch - 1]))
                continue; // q grows, so an equal t comes after every batched one

            // Insert after every batched element with t' ≤ t.
            int i = filled == BreakpointBatch ? BreakpointBatch - 1 : filled++;
            while (i > 0 && bt[i - 1] > t)
            {
                bt[i] = bt[i - 1];
                bq[i] = bq[i - 1];
                i--;
            }

            bt[i] = t;
            bq[i] = q;
        }

        _batchCount = filled;
        _batchNext = 0;
    }

    /// <summary>
    /// Free and active sets at the Cauchy point (Fortran <c>freev</c>): index = free variables then active ones;
    /// indx2 = variables entering the free set (from the front) and leaving it (from the back) since the last
    /// iteration. Returns whether K must be refactored.
    /// </summary>
    private bool FreeVariables()
    {
        int n = _n;
        int[] index = _index, indx2 = _indx2, iwhere = _iwhere;
        _nenter = 0;
        _ileave = n;
        if (_iter > 0 && _cnstnd)
        {
            for (int i = 0; i < _nfree; i++)
            {
                int k = index[i];
                if (iwhere[k] > 0)
                    indx2[--_ileave] = k;
            }

            for (int i = _nfree; i < n; i++)
            {
                int k = index[i];
                if (iwhere[k] <= 0)
                    indx2[_nenter++] = k;
            }
        }

        bool wrk = _ileave < n || _nenter > 0 || _updatd;
        int nfree = 0, iact = n;
        double[] freeMask = _freeMask, activeMask = _activeMask;
        for (int i = 0; i < n; i++)
        {
            // Without branches: free variables fill index from the front, active ones from the back.
            int free = iwhere[i] <= 0 ? 1 : 0;
            index[free != 0 ? nfree : iact - 1] = i;
            nfree += free;
            iact -= 1 - free;
            freeMask[i] = free;
            activeMask[i] = 1 - free;
        }

        _nfree = nfree;
        return wrk;
    }

    /// <summary>
    /// Product of the 2m×2m middle matrix M of the compact representation with v (Fortran <c>bmv</c>), using
    /// the Cholesky factor J of T = θSᵀS + L D⁻¹ Lᵀ held in wt.
    /// </summary>
    private int Bmv(ReadOnlySpan<double> v, Span<double> p)
    {
        int col = _col, m = _m;
        double[] ratio = _syRatio, sqrtDiag = _sqrtDiag;
        if (col == 0)
            return 0;

        // Solve [ D^½   O ] [ p1 ]   [ v1 ]
        //       [ −L D^-½ J ] [ p2 ] = [ v2 ]   (L D⁻¹ is held in syRatio).
        p[col] = v[col];
        for (int i = 1; i < col; i++)
        {
            double sum = 0;
            for (int k = 0; k < i; k++)
                sum += ratio[i + k * m] * v[k];
            p[col + i] = v[col + i] + sum;
        }

        int info = SolveUpper(_wt, m, col, p.Slice(col, col), transpose: true);
        if (info != 0)
            return info;
        for (int i = 0; i < col; i++)
            p[i] = v[i] / sqrtDiag[i];

        // Solve [ −D^½  D^-½ Lᵀ ] [ p1 ]   [ p1 ]
        //       [  0     Jᵀ     ] [ p2 ] = [ p2 ].
        info = SolveUpper(_wt, m, col, p.Slice(col, col), transpose: false);
        if (info != 0)
            return info;
        for (int i = 0; i < col; i++)
            p[i] = -p[i] / sqrtDiag[i];
        for (int i = 0; i < col; i++)
        {
            double sum = 0;
            for (int k = i + 1; k < col; k++)
                sum += ratio[k + i * m] * p[col + k];
            p[i] += sum;
        }

        return 0;
    }

    /// <summary>
    /// Stores the new pair (s in d, y in r) in the circular S, Y and updates SᵀS (upper) and SᵀY (lower)
    /// (Fortran <c>matupd</c>).
    /// </summary>
    private void UpdateMatrices(double rr, double dr, double stp, double dtd)
    {
        int m = _m;
        if (_iupdat <= m)
        {
            _col = _iupdat;
            _itail = (_head + _iupdat - 1) % m;
        }
        else
        {
            _itail = NextPointer(_itail);
            _head = NextPointer(_head);
        }

        _d.AsSpan().CopyTo(SColumn(_itail));
        _r.AsSpan().CopyTo(YColumn(_itail));
        _theta = rr / dr;

        int col = _col;
        double[] ss = _ss, sy = _sy;
        if (_iupdat > m)
        {
            // Drop the oldest pair: shift the upper triangle of SS and the lower triangle of SY up-left.
            for (int j = 0; j < col - 1; j++)
            {
                ss.AsSpan(1 + (j + 1) * m, j + 1).CopyTo(ss.AsSpan(j * m, j + 1));
                sy.AsSpan(j + 1 + (j + 1) * m, col - 1 - j).CopyTo(sy.AsSpan(j + j * m, col - 1 - j));
            }
        }

        // New last row of SY and last column of SS.
        int last = col - 1;
        int pointr = _head;
        for (int j = 0; j < last; j++)
        {
            sy[last + j * m] = TensorPrimitives.Dot<double>(_d, YColumn(pointr));
            ss[j + last * m] = TensorPrimitives.Dot<double>(SColumn(pointr), _d);
            pointr = NextPointer(pointr);
        }

        ss[last + last * m] = stp == 1.0 ? dtd : stp * stp * dtd;
        sy[last + last * m] = dr;
    }

    /// <summary>
    /// Forms T = θSᵀS + L D⁻¹ Lᵀ (upper triangle) and its Cholesky factor in wt (Fortran <c>formt</c>).
    /// </summary>
    private int FormT()
    {
        int m = _m, col = _col;
        double theta = _theta;
        double[] wt = _wt, ss = _ss, sy = _sy;
        for (int j = 0; j < col; j++)
            wt[j * m] = theta * ss[j * m];
        for (int i = 1; i < col; i++)
        {
            for (int j = i; j < col; j++)
            {
                double ddum = 0;
                for (int k = 0; k < i; k++)
                    ddum += sy[i + k * m] * sy[j + k * m] / sy[k + k * m];
                wt[i + j * m] = ddum + theta * ss[i + j * m];
            }
        }

        // Quantities of Bmv that only change here.
        for (int k = 0; k < col; k++)
        {
            double diag = sy[k + k * m];
            _sqrtDiag[k] = Math.Sqrt(diag);
            for (int i = k + 1; i < col; i++)
                _syRatio[i + k * m] = sy[i + k * m] / diag;
        }

        return Cholesky(wt, m, col) != 0 ? -3 : 0;
    }

    /// <summary>
    /// Forms and factors K = [−D − YᵀZZᵀY/θ, L_aᵀ − R_zᵀ; L_a − R_z, θSᵀAAᵀS] (Fortran <c>formk</c>) as
    /// LELᵀ in wn, updating the unscaled blocks held in wn1 incrementally for the new pair and for the variables
    /// that entered or left the free set.
    /// </summary>
    private int FormK()
    {
        int n = _n, m = _m, m2 = 2 * m, col = _col, nsub = _nfree, head = _head;
        double theta = _theta;
        double[] wn1 = _wn1, wn = _wn;
        ReadOnlySpan<int> entering = _indx2.AsSpan(0, _nenter);
        ReadOnlySpan<int> leaving = _indx2.AsSpan(_ileave, n - _ileave);
        bool allFree = nsub == n;

        int upcl;
        if (_updatd)
        {
            if (_iupdat > m)
            {
                // Shift the old part of WN1.
                for (int jy = 0; jy < m - 1; jy++)
                {
                    int js = m + jy;
                    wn1.AsSpan(jy + 1 + (jy + 1) * m2, m - 1 - jy).CopyTo(wn1.AsSpan(jy + jy * m2, m - 1 - jy));
                    wn1.AsSpan(js + 1 + (js + 1) * m2, m - 1 - jy).CopyTo(wn1.AsSpan(js + js * m2, m - 1 - jy));
                    wn1.AsSpan(m + 1 + (jy + 1) * m2, m - 1).CopyTo(wn1.AsSpan(m + jy * m2, m - 1));
                }
            }

            // New rows in blocks (1,1), (2,1) and (2,2).
            int iy = col - 1, isRow = m + col - 1;
            int ipntr = (head + col - 1) % m;
            int jpntr = head;
            for (int jy = 0; jy < col; jy++)
            {
                int js = m + jy;
                double temp1 = allFree
                    ? TensorPrimitives.Dot<double>(YColumn(ipntr), YColumn(jpntr))
                    : MaskedDot(YColumn(ipntr), YColumn(jpntr), _freeMask);
                double temp2 = allFree ? 0 : MaskedDot(SColumn(ipntr), SColumn(jpntr), _activeMask);
                double temp3 = allFree ? 0 : MaskedDot(SColumn(ipntr), YColumn(jpntr), _activeMask);
                wn1[iy + jy * m2] = temp1;
                wn1[isRow + js * m2] = temp2;
                wn1[isRow + jy * m2] = temp3;
                jpntr = NextPointer(jpntr);
            }

            // New column in block (2,1).
            int jyCol = col - 1;
            jpntr = (head + col - 1) % m;
            ipntr = head;
            for (int i = 0; i < col; i++)
            {
                double temp3 = allFree
                    ? TensorPrimitives.Dot<double>(SColumn(ipntr), YColumn(jpntr))
                    : MaskedDot(SColumn(ipntr), YColumn(jpntr), _freeMask);
                ipntr = NextPointer(ipntr);
                wn1[m + i + jyCol * m2] = temp3;
            }

            upcl = col - 1;
        }
        else
        {
            upcl = col;
        }

        // Correct the old parts of blocks (1,1) and (2,2) for the change of the free set.
        if (entering.Length > 0 || leaving.Length > 0)
        {
            int ipntr = head;
            for (int iy = 0; iy < upcl; iy++)
            {
                int isRow = m + iy;
                int jpntr = head;
                for (int jy = 0; jy <= iy; jy++)
                {
                    int js = m + jy;
                    double temp1 = DotIndexed(_wy, ipntr * n, _wy, jpntr * n, entering);
                    double temp2 = DotIndexed(_ws, ipntr * n, _ws, jpntr * n, entering);
                    double temp3 = DotIndexed(_wy, ipntr * n, _wy, jpntr * n, leaving);
                    double temp4 = DotIndexed(_ws, ipntr * n, _ws, jpntr * n, leaving);
                    wn1[iy + jy * m2] = wn1[iy + jy * m2] + temp1 - temp3;
                    wn1[isRow + js * m2] = wn1[isRow + js * m2] - temp2 + temp4;
                    jpntr = NextPointer(jpntr);
                }

                ipntr = NextPointer(ipntr);
            }

            // ... and of block (2,1).
            ipntr = head;
            for (int isRow = m; isRow < m + upcl; isRow++)
            {
                int jpntr = head;
                for (int jy = 0; jy < upcl; jy++)
                {
                    double temp1 = DotIndexed(_ws, ipntr * n, _wy, jpntr * n, entering);
                    double temp3 = DotIndexed(_ws, ipntr * n, _wy, jpntr * n, leaving);
                    if (isRow <= jy + m)
                        wn1[isRow + jy * m2] = wn1[isRow + jy * m2] + temp1 - temp3;
                    else
                        wn1[isRow + jy * m2] = wn1[isRow + jy * m2] - temp1 + temp3;
                    jpntr = NextPointer(jpntr);
                }

                ipntr = NextPointer(ipntr);
            }
        }

        // Upper triangle of WN = [Y'ZZ'Y/θ + D, −L_a' + R_z'; ., θ S'AA'S].
        for (int iy = 0; iy < col; iy++)
        {
            int isCol = col + iy, is1 = m + iy;
            for (int jy = 0; jy <= iy; jy++)
            {
                int js = col + jy, js1 = m + jy;
                wn[jy + iy * m2] = wn1[iy + jy * m2] / theta;
                wn[js + isCol * m2] = wn1[is1 + js1 * m2] * theta;
            }

            for (int jy = 0; jy < iy; jy++)
                wn[jy + isCol * m2] = -wn1[is1 + jy * m2];
            for (int jy = iy; jy < col; jy++)
                wn[jy + isCol * m2] = wn1[is1 + jy * m2];
            wn[iy + iy * m2] += _sy[iy + iy * _m];
        }

        // LELᵀ: Cholesky of the (1,1) block, L⁻¹(−L_a' + R_z') in the (1,2) block, then Cholesky of the
        // Schur complement in the (2,2) block.
        if (Cholesky(wn, m2, col) != 0)
            return -1;
        int col2 = 2 * col;
        for (int js = col; js < col2; js++)
            SolveUpper(wn, m2, col, wn.AsSpan(js * m2, col), transpose: true);
        for (int isCol = col; isCol < col2; isCol++)
        {
            for (int js = isCol; js < col2; js++)
            {
                wn[isCol + js * m2] += TensorPrimitives.Dot<double>(
                    wn.AsSpan(isCol * m2, col), wn.AsSpan(js * m2, col));
            }
        }

        if (Cholesky(wn.AsSpan(col + col * m2), m2, col) != 0)
            return -2;
        return 0;
    }

    /// <summary>
    /// Reduced gradient at the Cauchy point over the free variables, r = −Zᵀ(g + θ(z − x) − W M c)
    /// (Fortran <c>cmprlb</c>), in rsub at the variables' own positions (zero at the active ones).
    /// </summary>
    private int ReducedGradient(ReadOnlySpan<double> x)
    {
        int n = _n, m = _m, col = _col;
        double theta = _theta;
        Span<double> r = _rsub.AsSpan(0, n);
        if (!_cnstnd && col > 0)
        {
            TensorPrimitives.Negate(_g, r);
            return 0;
        }

        // r = −θ(z − x) − g on every variable; the active ones are zeroed at the end.
        TensorPrimitives.Subtract(_z, x, r);
        TensorPrimitives.Multiply(r, -theta, r);
        TensorPrimitives.Subtract(r, _g, r);

        Span<double> wa = _wa;
        if (Bmv(wa.Slice(2 * m, 2 * col), wa.Slice(0, 2 * col)) != 0)
            return -8;

        int pointr = _head;
        for (int j = 0; j < col; j++)
        {
            double a1 = wa[j], a2 = theta * wa[col + j];
            TensorPrimitives.MultiplyAdd(YColumn(pointr), a1, r, r);
            TensorPrimitives.MultiplyAdd(SColumn(pointr), a2, r, r);
            pointr = NextPointer(pointr);
        }

        if (_nfree != n)
            TensorPrimitives.Multiply(r, _freeMask, r);
        return 0;
    }

    /// <summary>
    /// Subspace minimisation (Fortran <c>subsm</c>, L-BFGS-B 3.0): the Newton step of the model over the free
    /// variables from the Cauchy point, projected onto the box; if the projected point is not a descent direction
    /// from x, the step is instead cut back to the first bound it meets. Updates z.
    /// </summary>
    private int SubspaceMinimization(ReadOnlySpan<double> x)
    {
        int n = _n, m = _m, m2 = 2 * m, col = _col, col2 = 2 * col, nsub = _nfree;
        double theta = _theta;
        double[] d = _rsub, z = _z, l = _lower, u = _upper;
        int[] ind = _index, nbd = _nbd;
        bool allFree = nsub == n;
        if (nsub <= 0)
            return 0;

        // wv = WᵀZ d (d is zero at the active variables).
        Span<double> dn = d.AsSpan(0, n);
        Span<double> wv = _wa.AsSpan(0, col2);
        int pointr = _head;
        for (int i = 0; i < col; i++)
        {
            wv[i] = TensorPrimitives.Dot<double>(YColumn(pointr), dn);
            wv[col + i] = theta * TensorPrimitives.Dot<double>(SColumn(pointr), dn);
            pointr = NextPointer(pointr);
        }

        // wv = K⁻¹ wv.
        int info = SolveUpper(_wn, m2, col2, wv, transpose: true);
        if (info != 0)
            return info;
        for (int i = 0; i < col; i++)
            wv[i] = -wv[i];
        info = SolveUpper(_wn, m2, col2, wv, transpose: false);
        if (info != 0)
            return info;

        // d = (d + ZᵀW wv / θ) / θ: the Newton step over the free variables (computed everywhere, then zeroed at the
        // active variables).
        pointr = _head;
        for (int jy = 0; jy < col; jy++)
        {
            int js = col + jy;
            double a = wv[jy] / theta, b = wv[js];
            TensorPrimitives.MultiplyAdd(YColumn(pointr), a, dn, dn);
            TensorPrimitives.MultiplyAdd(SColumn(pointr), b, dn, dn);
            pointr = NextPointer(pointr);
        }

        TensorPrimitives.Multiply(dn, 1.0 / theta, dn);
        if (!allFree)
            TensorPrimitives.Multiply(dn, _freeMask, dn);

        if (!_cnstnd)
        {
            // No bounds: the Newton point is the answer.
            TensorPrimitives.Add(z, dn, z);
            return 0;
        }

        // Project the Newton point onto the box.
        bool hitBound = false;
        _z.AsSpan().CopyTo(_xp);
        for (int i = 0; i < nsub; i++)
        {
            int k = ind[i];
            double dk = d[k], xk = z[k];
            switch (nbd[k])
            {
                case 0:
                    z[k] = xk + dk;
                    break;
                case 1:
                    z[k] = Math.Max(l[k], xk + dk);
                    if (z[k] == l[k])
                        hitBound = true;
                    break;
                case 2:
                    xk = Math.Max(l[k], xk + dk);
                    z[k] = Math.Min(u[k], xk);
                    if (z[k] == l[k] || z[k] == u[k])
                        hitBound = true;
                    break;
                default:
                    z[k] = Math.Min(u[k], xk + dk);
                    if (z[k] == u[k])
                        hitBound = true;
                    break;
            }
        }

        if (!hitBound)
            return 0;

        // Keep the projected point only if it is a descent direction from x.
        double ddp = 0;
        double[] g = _g;
        for (int i = 0; i < n; i++)
            ddp += (z[i] - x[i]) * g[i];
        if (!(ddp > 0))
            return 0;

        // Otherwise backtrack: the longest step along d from the Cauchy point that stays in the box.
        _xp.AsSpan().CopyTo(z);
        double alpha = 1.0, temp = alpha;
        int ibd = -1;
        for (int i = 0; i < nsub; i++)
        {
            int k = ind[i];
            double dk = d[k];
            if (nbd[k] == 0)
                continue;
            if (dk < 0 && nbd[k] <= 2)
            {
                double temp2 = l[k] - z[k];
                if (temp2 >= 0)
                    temp = 0;
                else if (dk * alpha < temp2)
                    temp = temp2 / dk;
            }
            else if (dk > 0 && nbd[k] >= 2)
            {
                double temp2 = u[k] - z[k];
                if (temp2 <= 0)
                    temp = 0;
                else if (dk * alpha > temp2)
                    temp = temp2 / dk;
            }

            if (temp < alpha)
            {
                alpha = temp;
                ibd = i;
            }
        }

        if (alpha < 1.0)
        {
            int k = ind[ibd];
            double dk = d[k];
            if (dk > 0)
            {
                z[k] = u[k];
                d[k] = 0;
            }
            else if (dk < 0)
            {
                z[k] = l[k];
                d[k] = 0;
            }
        }

        for (int i = 0; i < nsub; i++)
        {
            int k = ind[i];
            z[k] += alpha * d[k];
        }

        return 0;
    }

    /// <summary>Σ a[i]·b[i]·mask[i] in 256-bit vectors (four partial sums, then the scalar tail).</summary>
    private static double MaskedDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> mask)
    {
        int n = a.Length, i = 0;
        if (b.Length < n || mask.Length < n)
            throw new ArgumentException("The operands are shorter than a.");
        ref double pa = ref MemoryMarshal.GetReference(a);
        ref double pb = ref MemoryMarshal.GetReference(b);
        ref double pm = ref MemoryMarshal.GetReference(mask);
        Vector256<double> s0 = Vector256<double>.Zero, s1 = s0;
        for (; i <= n - 8; i += 8)
        {
            s0 += Vector256.LoadUnsafe(ref pa, (nuint)i) * Vector256.LoadUnsafe(ref pb, (nuint)i) * Vector256.LoadUnsafe(ref pm, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref pa, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref pb, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref pm, (nuint)(i + 4));
        }

        double sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++)
            sum += a[i] * b[i] * mask[i];
        return sum;
    }

    private static double DotIndexed(double[] a, int aOffset, double[] b, int bOffset, ReadOnlySpan<int> indices)
    {
        double sum = 0;
        foreach (int k in indices)
            sum += a[aOffset + k] * b[bOffset + k];
        return sum;
    }

    /// <summary>
    /// Cholesky factorization A = RᵀR of the leading n×n block (upper triangle used and overwritten by R), LINPACK
    /// <c>dpofa</c>. Returns 0, or the 1-based order of the first non-positive pivot.
    /// </summary>
    private static int Cholesky(Span<double> a, int lda, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int k = 0; k < j; k++)
            {
                double t = a[k + j * lda] - TensorPrimitives.Dot<double>(a.Slice(k * lda, k), a.Slice(j * lda, k));
                t /= a[k + k * lda];
                a[k + j * lda] = t;
                s += t * t;
            }

            s = a[j + j * lda] - s;
            if (!(s > 0))
                return j + 1;
            a[j + j * lda] = Math.Sqrt(s);
        }

        return 0;
    }

    /// <summary>
    /// Solves T x = b (or Tᵀ x = b) in place for the upper-triangular leading n×n block T of a (LINPACK
    /// <c>dtrsl</c> jobs 01 and 11). Returns 0, or the 1-based index of a zero diagonal element.
    /// </summary>
    private static int SolveUpper(ReadOnlySpan<double> t, int ldt, int n, Span<double> b, bool transpose)
    {
        for (int j = 0; j < n; j++)
        {
            if (t[j + j * ldt] == 0)
                return j + 1;
        }

        if (!transpose)
        {
            b[n - 1] /= t[(n - 1) + (n - 1) * ldt];
            for (int j = n - 2; j >= 0; j--)
            {
                double temp = -b[j + 1];
                for (int i = 0; i <= j; i++)
                    b[i] += temp * t[i + (j + 1) * ldt];
                b[j] /= t[j + j * ldt];
            }
        }
        else
        {
            b[0] /= t[0];
            for (int j = 1; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < j; i++)
                    sum += t[i + j * ldt] * b[i];
                b[j] = (b[j] - sum) / t[j + j * ldt];
            }
        }

        return 0;
    }
}
