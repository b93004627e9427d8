using System.Numerics.Tensors;
using Intriguing.Spectral;

namespace Intriguing.Layers;

// Operator-norm control of a convolution layer during training (docs/lipschitz.md, "Controlling the bounds").
static partial class Convolution
{
    /// <summary>
    /// The convolution's Fourier bound (the quantity <see cref="LipschitzBound"/> certifies) tracked across training
    /// steps, and its gradient with respect to the kernels.
    /// </summary>
    /// <remarks>
    /// <para>With the periodic map N_y × N_x and stride s of <see cref="LipschitzBound"/> (L = s_y·s_x), the bound is
    /// f(w) = r·max_η σ_max(A(η)), A(η) = L^(−1/2)·[K̂(ξ_0) … K̂(ξ_{L−1})], ξ_l = η + (l_y·N_y/s_y, l_x·N_x/s_x),
    /// K̂(ξ)_dc = Σ_ab w[d][c][a][b]·e^(−iθ_ab(ξ)), θ_ab(ξ) = 2π(a·ξ_y/N_y + b·ξ_x/N_x), and r = 1 except for the
    /// circular layers whose outputs repeat positions (r = √repetition). Every step recomputes the kernel spectra
    /// (separable direct DFT) and runs power steps on every A(η) of the half-plane η_x ≤ (N_x/s_x)/2 from persistent
    /// per-frequency vectors; σ is the largest estimate. At the maximising η* with the pair u = Av/‖Av‖,
    /// v′ = Aᴴu/‖Aᴴu‖ (so σ = Re(uᴴAv′)) the gradient is
    /// ∂σ/∂w[d][c][a][b] = r·L^(−1/2)·Re(conj(u_d)·Σ_l v′_{l,c}·e^(−iθ_ab(ξ_l))), exact at convergence.</para>
    /// <para>Allocates only in its constructor; runs on the calling thread, so it is deterministic.</para>
    /// </remarks>
    internal sealed class NormTracker
    {
        private readonly LayerGeometry _g;
        private readonly int _d, _c, _k, _ny, _nx, _sy, _sx, _l, _ho, _wo, _hc, _dc, _cl;
        private readonly double _scale, _repeat;
        private readonly double[] _weights;
        private readonly double[] _cosY, _sinY, _cosX, _sinX;
        private readonly double[] _rowRe, _rowIm;   // [a][ξx][dc]: Σ_b w·e^(−2πi b ξx/Nx)
        private readonly double[] _specRe, _specIm; // [ξy][ξx][dc]
        private readonly double[] _vRe, _vIm;       // [η][l][c], persistent
        private readonly double[] _uRe, _uIm;       // [d]
        private readonly double[] _bestURe, _bestUIm, _bestVRe, _bestVIm;
        private readonly int[] _xiY, _xiX;          // ξ_l of the current frequency
        private readonly float[] _gram;
        private int _bestEta = -1;

        /// <summary>A tracker for a layer of geometry <paramref name="geometry"/>, its start vectors drawn from <paramref name="seed"/>.</summary>
        public NormTracker(LayerGeometry geometry, ulong seed)
        {
            ArgumentNullException.ThrowIfNull(geometry);
            LayerGeometry g = geometry;
            _g = g;
            _d = g.OutputChannels;
            _c = g.InputChannels;
            _k = g.Kernel;
            if (g.PaddingMode == PaddingMode.Zero)
            {
                var shape = new ConvolutionShape(_c, _d, _k, _k, g.InputHeight, g.InputWidth, g.Stride, g.Stride, g.Padding, PaddingMode.Zero);
                (_ny, _nx, _sy, _sx, _repeat) = (shape.PeriodHeight, shape.PeriodWidth, g.Stride, g.Stride, 1);
            }
            else if (g.InputHeight % g.Stride == 0 && g.InputWidth % g.Stride == 0
                && g.OutputHeight <= g.InputHeight / g.Stride && g.OutputWidth <= g.InputWidth / g.Stride)
            {
                (_ny, _nx, _sy, _sx, _repeat) = (g.InputHeight, g.InputWidth, g.Stride, g.Stride, 1);
            }
            else
            {
                int repeat = Repetition(g.OutputHeight, g.Stride, g.InputHeight) * Repetition(g.OutputWidth, g.Stride, g.InputWidth);
                (_ny, _nx, _sy, _sx, _repeat) = (g.InputHeight, g.InputWidth, 1, 1, Math.Sqrt(repeat));
            }

            _l = _sy * _sx;
            _ho = _ny / _sy;
            _wo = _nx / _sx;
            _hc = _wo / 2 + 1;
            _dc = _d * _c;
            _cl = _c * _l;
            _scale = 1 / Math.Sqrt(_l);
            _weights = new double[_dc * _k * _k];
            (_cosY, _sinY) = Twiddles(_ny);
            (_cosX, _sinX) = Twiddles(_nx);
            _rowRe = new double[_k * _nx * _dc];
            _rowIm = new double[_k * _nx * _dc];
            _specRe = new double[_ny * _nx * _dc];
            _specIm = new double[_ny * _nx * _dc];
            int frequencies = _ho * _hc;
            _vRe = new double[frequencies * _cl];
            _vIm = new double[frequencies * _cl];
            var random = new SeededRandom(seed);
            for (int i = 0; i < _vRe.Length; i++)
            {
                _vRe[i] = random.NextGaussian();
                _vIm[i] = random.NextGaussian();
            }

            for (int f = 0; f < frequencies; f++) Normalize(_vRe.AsSpan(f * _cl, _cl), _vIm.AsSpan(f * _cl, _cl));
            _uRe = new double[_d];
            _uIm = new double[_d];
            _bestURe = new double[_d];
            _bestUIm = new double[_d];
            _bestVRe = new double[_cl];
            _bestVIm = new double[_cl];
            _xiY = new int[_l];
            _xiX = new int[_l];
            int rows = _d, cols = _c * _k * _k, side = Math.Min(rows, cols);
            _gram = new float[side * side];
        }

        /// <summary>Records that the weights were multiplied by <paramref name="factor"/> &gt; 0: σ scales with them, the pair stays.</summary>
        public void Rescaled(double factor) => Sigma *= factor;

        /// <summary>The last estimate of the bound (0 before any).</summary>
        public double Sigma { get; private set; }

        /// <summary>The frequency η* = (η_y, η_x) of the last estimate.</summary>
        public (int Y, int X) Frequency => _bestEta < 0 ? (-1, -1) : (_bestEta / _hc, _bestEta % _hc);

        /// <summary>
        /// Recomputes the kernel spectra, runs <paramref name="iterations"/> power steps at every frequency from its
        /// persistent vector and returns the largest estimate times r (a lower estimate of the Fourier bound that
        /// converges to it).
        /// </summary>
        public double Iterate(ReadOnlySpan<float> weights, int iterations)
        {
            Spectrum(weights);
            double best = -1;
            int frequencies = _ho * _hc;
            for (int eta = 0; eta < frequencies; eta++)
            {
                Span<double> vRe = _vRe.AsSpan(eta * _cl, _cl), vIm = _vIm.AsSpan(eta * _cl, _cl);
                Aliases(eta);
                double sigma = 0;
                for (int it = 0; it < iterations; it++)
                {
                    Apply(vRe, vIm);
                    if (Normalize(_uRe, _uIm) == 0) break;
                    ApplyAdjoint(vRe, vIm);
                    sigma = Normalize(vRe, vIm);
                    if (sigma == 0) break;
                }

                if (sigma > best)
                {
                    best = sigma;
                    _bestEta = eta;
                    _uRe.CopyTo(_bestURe, 0);
                    _uIm.CopyTo(_bestUIm, 0);
                    vRe.CopyTo(_bestVRe);
                    vIm.CopyTo(_bestVIm);
                }
            }

            Sigma = Math.Max(best, 0) * _repeat;
            return Sigma;
        }

        /// <summary>gradient += coefficient·∂σ/∂w with the pair of the last <see cref="Iterate"/> (kernels [D][C][k][k]).</summary>
        public void AddGradient(Span<float> gradient, float coefficient)
        {
            if (coefficient == 0 || Sigma == 0 || _bestEta < 0) return;
            Aliases(_bestEta);
            double factor = coefficient * _repeat * _scale;
            for (int d = 0; d < _d; d++)
            {
                double ur = _bestURe[d], ui = _bestUIm[d];
                for (int c = 0; c < _c; c++)
                {
                    Span<float> kernel = gradient.Slice((d * _c + c) * _k * _k, _k * _k);
                    for (int a = 0; a < _k; a++)
                    {
                        for (int b = 0; b < _k; b++)
                        {
                            // Re(conj(u)·v·e^(−iθ)) = Re(conj(u)·v)·cos θ + Im(conj(u)·v)·sin θ.
                            double sum = 0;
                            for (int l = 0; l < _l; l++)
                            {
                                double vr = _bestVRe[l * _c + c], vi = _bestVIm[l * _c + c];
                                double pr = ur * vr + ui * vi, pi = ur * vi - ui * vr;
                                int ty = (int)((long)a * _xiY[l] % _ny), tx = (int)((long)b * _xiX[l] % _nx);
                                double cos = _cosY[ty] * _cosX[tx] - _sinY[ty] * _sinX[tx];
                                double sin = _sinY[ty] * _cosX[tx] + _cosY[ty] * _sinX[tx];
                                sum += pr * cos + pi * sin;
                            }

                            kernel[a * _k + b] += (float)(factor * sum);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The Parseval regulariser of the kernels as a D × (C·k·k) matrix (Cissé et al. 2017), see
        /// <see cref="Dense.NormTracker.AddParsevalGradient"/>; adds its gradient and returns its value.
        /// </summary>
        public float AddParsevalGradient(ReadOnlySpan<float> weights, Span<float> gradient, float beta) =>
            Dense.NormTracker.Parseval(weights, gradient, _d, _c * _k * _k, beta, _gram);

        /// <summary>
        /// Clips the singular values of the periodic operator at τ (Sedghi et al. 2019): every block A(η) (the same
        /// blocks as <see cref="Iterate"/>; τ/r for the repeating circular layers) gets its singular values above the
        /// limit set to it, and the kernels are the inverse DFT of the new spectra truncated to their k × k support.
        /// Returns whether anything was clipped; kernels whose blocks are all within the limit are left untouched.
        /// </summary>
        /// <remarks>
        /// Without the truncation the result would be the operator nearest the old one (Frobenius norm) with norm ≤ τ;
        /// the truncation can raise the norm again, so callers check the certified norm afterwards
        /// (<see cref="CertifiedNorm"/>). The SVDs are of the real 2D × 2CL embeddings of A(η) (<see cref="JacobiSvd"/>),
        /// on the half-plane η_x ≤ (N_x/s_x)/2, the rest by conjugate symmetry. Allocates; deterministic.
        /// </remarks>
        public bool Clip(Span<float> weights, double tau)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tau);
            Spectrum(weights);
            double limit = tau / _repeat;
            int rows = 2 * _d, cols = 2 * _cl;
            double[] embedding = new double[rows * cols];
            double[] clipRe = new double[_specRe.Length], clipIm = new double[_specIm.Length];
            _specRe.CopyTo(clipRe, 0);
            _specIm.CopyTo(clipIm, 0);
            bool clipped = false;
            double unscale = Math.Sqrt(_l);
            for (int eta = 0; eta < _ho * _hc; eta++)
            {
                // M = [[X, −Y], [Y, X]] for A(η) = X + iY: its singular values are A's, each twice, and clipping M
                // keeps this form (it commutes with the complex structure), so M's clip holds A's.
                Aliases(eta);
                double frobenius = 0;
                for (int l = 0; l < _l; l++)
                {
                    int offset = (_xiY[l] * _nx + _xiX[l]) * _dc;
                    frobenius += TensorPrimitives.SumOfSquares<double>(_specRe.AsSpan(offset, _dc)) + TensorPrimitives.SumOfSquares<double>(_specIm.AsSpan(offset, _dc));
                }

                // ‖A‖₂ ≤ ‖A‖_F: a block within the limit in Frobenius norm has nothing to clip.
                if (frobenius * _scale * _scale <= limit * limit) continue;
                for (int d = 0; d < _d; d++)
                {
                    for (int l = 0; l < _l; l++)
                    {
                        int offset = (_xiY[l] * _nx + _xiX[l]) * _dc + d * _c;
                        for (int c = 0; c < _c; c++)
                        {
                            double re = _specRe[offset + c] * _scale, im = _specIm[offset + c] * _scale;
                            int j = l * _c + c;
                            embedding[d * cols + j] = re;
                            embedding[d * cols + _cl + j] = -im;
                            embedding[(_d + d) * cols + j] = im;
                            embedding[(_d + d) * cols + _cl + j] = re;
                        }
                    }
                }

                SingularValueDecomposition svd = JacobiSvd.Decompose(embedding, rows, cols);
                if (svd.SingularValues[0] <= limit) continue;
                clipped = true;
                double[] u = svd.U!, v = svd.V!;
                int r = svd.Count;
                // M ← M − Σ_{s_i > limit} (s_i − limit)·u_i·v_iᵀ.
                for (int i = 0; i < r && svd.SingularValues[i] > limit; i++)
                {
                    double excess = svd.SingularValues[i] - limit;
                    for (int row = 0; row < rows; row++)
                    {
                        double f = excess * u[row * r + i];
                        if (f == 0) continue;
                        for (int col = 0; col < cols; col++) embedding[row * cols + col] -= f * v[col * r + i];
                    }
                }

                for (int d = 0; d < _d; d++)
                {
                    for (int l = 0; l < _l; l++)
                    {
                        int offset = (_xiY[l] * _nx + _xiX[l]) * _dc + d * _c;
                        for (int c = 0; c < _c; c++)
                        {
                            // The two copies of X and of Y agree up to rounding: take their means.
                            int j = l * _c + c;
                            double re = (embedding[d * cols + j] + embedding[(_d + d) * cols + _cl + j]) / 2;
                            double im = (embedding[(_d + d) * cols + j] - embedding[d * cols + _cl + j]) / 2;
                            clipRe[offset + c] = re * unscale;
                            clipIm[offset + c] = im * unscale;
                        }
                    }
                }
            }

            if (!clipped) return false;

            // The other half-plane: K̂(−ξ) = conj(K̂(ξ)) for real kernels, and −ξ is an alias of −η, inside the half-plane.
            for (int y = 0; y < _ny; y++)
            {
                for (int x = 0; x < _nx; x++)
                {
                    if (x % _wo <= _wo / 2) continue;
                    int to = (y * _nx + x) * _dc, from = (((_ny - y) % _ny) * _nx + (_nx - x) % _nx) * _dc;
                    for (int ch = 0; ch < _dc; ch++)
                    {
                        clipRe[to + ch] = clipRe[from + ch];
                        clipIm[to + ch] = -clipIm[from + ch];
                    }
                }
            }

            // Inverse DFT at the k × k taps only (the truncation): w[a][b] = Re Σ_ξ K̂(ξ)·e^(+iθ_ab(ξ))/(N_y·N_x),
            // separable, first over ξ_x into row[ξ_y][b], then over ξ_y.
            double[] rowRe = new double[_ny * _k * _dc], rowIm = new double[_ny * _k * _dc];
            for (int y = 0; y < _ny; y++)
            {
                for (int b = 0; b < _k; b++)
                {
                    Span<double> re = rowRe.AsSpan((y * _k + b) * _dc, _dc), im = rowIm.AsSpan((y * _k + b) * _dc, _dc);
                    for (int x = 0; x < _nx; x++)
                    {
                        int t = (int)((long)b * x % _nx);
                        double cos = _cosX[t], sin = _sinX[t];
                        ReadOnlySpan<double> kr = clipRe.AsSpan((y * _nx + x) * _dc, _dc), ki = clipIm.AsSpan((y * _nx + x) * _dc, _dc);
                        // (kr + i·ki)(cos + i·sin) = (kr·cos − ki·sin) + i(kr·sin + ki·cos)
                        TensorPrimitives.MultiplyAdd(kr, cos, re, re);
                        TensorPrimitives.MultiplyAdd(ki, -sin, re, re);
                        TensorPrimitives.MultiplyAdd(kr, sin, im, im);
                        TensorPrimitives.MultiplyAdd(ki, cos, im, im);
                    }
                }
            }

            double norm = 1.0 / ((double)_ny * _nx);
            int taps = _k * _k;
            for (int a = 0; a < _k; a++)
            {
                for (int b = 0; b < _k; b++)
                {
                    for (int ch = 0; ch < _dc; ch++)
                    {
                        double sum = 0;
                        for (int y = 0; y < _ny; y++)
                        {
                            int t = (int)((long)a * y % _ny);
                            int at = (y * _k + b) * _dc + ch;
                            sum += rowRe[at] * _cosY[t] - rowIm[at] * _sinY[t];
                        }

                        weights[ch * taps + a * _k + b] = (float)(sum * norm);
                    }
                }
            }

            return true;
        }

        /// <summary>The certified bound of <see cref="LipschitzBound"/> for these kernels, for the projection's exact check.</summary>
        public double CertifiedNorm(ReadOnlySpan<float> weights) => LipschitzBound(weights, _g).Bound;

        /// <summary>The frequencies ξ_l that fold onto output frequency <paramref name="eta"/>.</summary>
        private void Aliases(int eta)
        {
            int ey = eta / _hc, ex = eta % _hc;
            for (int ly = 0; ly < _sy; ly++)
            {
                for (int lx = 0; lx < _sx; lx++)
                {
                    _xiY[ly * _sx + lx] = ey + ly * _ho;
                    _xiX[ly * _sx + lx] = ex + lx * _wo;
                }
            }
        }

        /// <summary>u = A(η)·v for the aliases set by <see cref="Aliases"/>.</summary>
        private void Apply(ReadOnlySpan<double> vRe, ReadOnlySpan<double> vIm)
        {
            Array.Clear(_uRe);
            Array.Clear(_uIm);
            for (int l = 0; l < _l; l++)
            {
                int offset = (_xiY[l] * _nx + _xiX[l]) * _dc;
                for (int d = 0; d < _d; d++)
                {
                    ReadOnlySpan<double> kr = _specRe.AsSpan(offset + d * _c, _c), ki = _specIm.AsSpan(offset + d * _c, _c);
                    ReadOnlySpan<double> xr = vRe.Slice(l * _c, _c), xi = vIm.Slice(l * _c, _c);
                    double dr = TensorPrimitives.Dot(kr, xr) - TensorPrimitives.Dot(ki, xi);
                    double di = TensorPrimitives.Dot(kr, xi) + TensorPrimitives.Dot(ki, xr);
                    _uRe[d] += dr * _scale;
                    _uIm[d] += di * _scale;
                }
            }
        }

        /// <summary>v = A(η)ᴴ·u.</summary>
        private void ApplyAdjoint(Span<double> vRe, Span<double> vIm)
        {
            vRe.Clear();
            vIm.Clear();
            for (int l = 0; l < _l; l++)
            {
                int offset = (_xiY[l] * _nx + _xiX[l]) * _dc;
                Span<double> yr = vRe.Slice(l * _c, _c), yi = vIm.Slice(l * _c, _c);
                for (int d = 0; d < _d; d++)
                {
                    ReadOnlySpan<double> kr = _specRe.AsSpan(offset + d * _c, _c), ki = _specIm.AsSpan(offset + d * _c, _c);
                    double ur = _uRe[d] * _scale, ui = _uIm[d] * _scale;
                    // conj(k)·u = (kr − i·ki)(ur + i·ui) = (kr·ur + ki·ui) + i(kr·ui − ki·ur)
                    TensorPrimitives.MultiplyAdd(kr, ur, yr, yr);
                    TensorPrimitives.MultiplyAdd(ki, ui, yr, yr);
                    TensorPrimitives.MultiplyAdd(kr, ui, yi, yi);
                    TensorPrimitives.MultiplyAdd(ki, -ur, yi, yi);
                }
            }
        }

        /// <summary>K̂(ξ) for the whole N_y × N_x grid, by the separable direct DFT of the zero-padded kernels.</summary>
        private void Spectrum(ReadOnlySpan<float> weights)
        {
            int taps = _k * _k;
            for (int i = 0; i < _weights.Length; i++) _weights[i] = weights[i];
            for (int a = 0; a < _k; a++)
            {
                for (int x = 0; x < _nx; x++)
                {
                    Span<double> re = _rowRe.AsSpan((a * _nx + x) * _dc, _dc), im = _rowIm.AsSpan((a * _nx + x) * _dc, _dc);
                    for (int ch = 0; ch < _dc; ch++)
                    {
                        double sr = 0, si = 0;
                        for (int b = 0; b < _k; b++)
                        {
                            int t = (int)((long)b * x % _nx);
                            double w = _weights[ch * taps + a * _k + b];
                            sr += w * _cosX[t];
                            si -= w * _sinX[t];
                        }

                        re[ch] = sr;
                        im[ch] = si;
                    }
                }
            }

            for (int y = 0; y < _ny; y++)
            {
                for (int x = 0; x < _nx; x++)
                {
                    Span<double> re = _specRe.AsSpan((y * _nx + x) * _dc, _dc), im = _specIm.AsSpan((y * _nx + x) * _dc, _dc);
                    re.Clear();
                    im.Clear();
                    for (int a = 0; a < _k; a++)
                    {
                        int t = (int)((long)a * y % _ny);
                        double c = _cosY[t], s = -_sinY[t];
                        ReadOnlySpan<double> rr = _rowRe.AsSpan((a * _nx + x) * _dc, _dc), ri = _rowIm.AsSpan((a * _nx + x) * _dc, _dc);
                        // (rr + i·ri)(c + i·s) = (rr·c − ri·s) + i(rr·s + ri·c)
                        TensorPrimitives.MultiplyAdd(rr, c, re, re);
                        TensorPrimitives.MultiplyAdd(ri, -s, re, re);
                        TensorPrimitives.MultiplyAdd(rr, s, im, im);
                        TensorPrimitives.MultiplyAdd(ri, c, im, im);
                    }
                }
            }
        }

        private static (double[] Cos, double[] Sin) Twiddles(int n)
        {
            double[] cos = new double[n], sin = new double[n];
            for (int t = 0; t < n; t++)
            {
                cos[t] = Math.Cos(2 * Math.PI * t / n);
                sin[t] = Math.Sin(2 * Math.PI * t / n);
            }

            return (cos, sin);
        }

        private static double Normalize(Span<double> re, Span<double> im)
        {
            double norm = Math.Sqrt(TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)re) + TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)im));
            if (norm > 0)
            {
                TensorPrimitives.Multiply(re, 1 / norm, re);
                TensorPrimitives.Multiply(im, 1 / norm, im);
            }

            return norm;
        }
    }
}
