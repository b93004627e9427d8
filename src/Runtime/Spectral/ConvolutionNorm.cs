using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Intriguing.Spectral;

/// <summary>
/// The operator norm (largest singular value) of a 2-D multi-channel convolution layer by the Fourier method, with
/// a certified upper bound and a lower estimate: the convolution part of the Lipschitz analysis of Szegedy et al.
/// (2013), Sec. 4.3 (with the two misprints of its formula corrected).
/// </summary>
/// <remarks>
/// <para><b>The formula.</b> Take the circular convolution on an N_y × N_x periodic map with stride s = (s_y, s_x),
/// L = s_y·s_x, and let K̂(ξ) be the D × C matrix of kernel DFTs <c>K̂(ξ)_dc = Σ_{a,b} w[d][c][a][b]·e^{−2πi(a·ξ_y/N_y + b·ξ_x/N_x)}</c>
/// (exponent /N, not /N² as printed in the paper). With unitary DFTs, the stride-1 output at ξ is K̂(ξ)·x̂(ξ)
/// (up to a unit phase and a conjugation, which change no singular value), and subsampling by s folds the L
/// frequencies ξ_l = η + (l_y·N_y/s_y, l_x·N_x/s_x) onto the output frequency η with the factor
/// <c>L^(−1/2)</c> (that is Δ^(−1) for a square stride Δ, not Δ^(−2) as printed). The layer is therefore unitarily
/// equivalent to the block-diagonal matrix of the D × (C·L) matrices
/// <c>A(η) = L^(−1/2)·[K̂(ξ_0) … K̂(ξ_{L−1})]</c>, η over the (N_y/s_y) × (N_x/s_x) output grid, and
/// <c>‖layer‖₂ = max_η σ_max(A(η))</c> — exact for circular padding. The weights are real, so
/// A(−η) is the complex conjugate of A(η) up to a column permutation: only the half-plane
/// η_x ≤ (N_x/s_x)/2 is processed.</para>
/// <para><b>Zero padding.</b> Embed the input x at offset (p, p) of an N_y × N_x map
/// of zeros with N_y ≥ H + p (<see cref="ConvolutionShape.PeriodHeight"/>: the smallest multiple of s_y that is at
/// least max(H + p, kh)). An output position i reads padded positions s_y·i + a &lt; H + 2p; those ≥ N_y wrap around
/// to positions &lt; H + 2p − N_y ≤ p, which hold zeros, so every output of the zero-padded layer equals an output of
/// the circular convolution on the larger map (outputs beyond the N_y/s_y of the torus read only padding and are
/// zero). The zero-padded layer is thus P·C·E with E an isometric embedding, C the circular convolution and P a
/// coordinate restriction, so its norm is at most ‖C‖: the result is an upper bound, not the exact norm.
/// (The usual choice N = H + 2p is valid too; H + p is the smallest map for which the argument holds.)</para>
/// <para><b>Certification.</b> (1) The kernel spectra K̂(ξ) on the half-plane of the N_y × N_x grid are computed
/// by the separable DFT of the zero-padded kernels evaluated directly (rows, then columns; SIMD across the D·C
/// channels, frequency-major so that each frequency's D·C entries are contiguous). For k ≪ N this costs
/// D·C·k_h·N_y·(N_x/2 + 1) complex multiply-adds — less than the runtime FFT of the zero-padded kernels, whose double
/// channels-last path measured about 1 µs per 13×13 channel — and, unlike an FFT, has a simple proven error bound.
/// (2) A screening pass forms the Gram matrix of every A(η) (see (3)) and runs a few Hermitian Lanczos steps on it;
/// for strided layers the Gram matrices are kept for (3) when they fit in 192 MB. The frequencies with the largest
/// estimates are refined by
/// <see cref="OperatorNorm"/> (Golub–Kahan–Lanczos on the real embedding of A(η)); the largest Ritz value is
/// <see cref="ConvolutionNormResult.Estimate"/>, and the common level is S = Estimate·(1 + tolerance).
/// (3) Every frequency is then certified: if ‖A(η)‖_F ≤ S it is done; otherwise the Gram matrix G = B·Bᴴ of the
/// smaller side (B = A or Aᵀ, n = min(D, C·L)) is formed — for stride 1, when cheaper, not from A(η) but from the
/// kernel autocorrelation: G(ξ) = Σ_δ M_δ·e^{−iθ_δ(ξ)} with M_δ = Σ_{u−v=δ} V_u·V_vᵀ (V_u the tap-u slice of the
/// weights, computed once), which costs (2k_h − 1)(2k_w − 1)·n² per frequency instead of n²·m — and S²·I − G is
/// factorised by Cholesky. If the
/// factorisation succeeds, λ_max(G) ≤ S² + ρ with ρ the rounding allowance below; if it fails, that frequency is
/// refined by Lanczos and certified at its own level (1 + tolerance)·θ(η), raising the level tenfold on further
/// failures, and as a last resort by its Frobenius norm. The bound is the largest per-frequency bound, rounded up.
/// No step relies on a convergence assumption: a factorisation that succeeds is a proof (up to the allowance).</para>
/// <para><b>Rounding allowance.</b> The floating-point Cholesky factor R̂ of a Hermitian M satisfies
/// R̂ᴴR̂ = M + ΔM with |ΔM| ≤ γ·|R̂ᴴ|·|R̂| (Higham, <i>Accuracy and Stability</i>, Thm 10.3; γ = γ_{4(n+2)} here to
/// cover complex arithmetic), so λ_min(M) ≥ −γ·‖R̂‖_F². The Gram entries carry |ΔG_ij| ≤ √2·γ_{2m+2}·‖b_i‖·‖b_j‖,
/// so ‖ΔG‖₂ ≤ √2·γ_{2m+2}·‖B‖_F²; forming S² − G_ii adds u·(S² + ‖B‖_F²). Each DFT entry carries at most √2·γ_{2(k_h+k_w)+64}·Σ_ab|w_ab|
/// (the twiddles come from exact integer angles and are accurate to a few ulps), so
/// ‖ΔA(η)‖₂ ≤ ‖ΔA(η)‖_F ≤ √2·γ_{2(k_h+k_w)+64}·√(Σ_ch (Σ_ab |w_ab|)²), which is added to every per-frequency bound.
/// On the autocorrelation path, |ΔG_ij| ≤ √2·γ_{m·k_h·k_w + 4·#δ + 64}·Σ_{u,v}(|V_u|·|V_v|ᵀ)_ij, so
/// ‖ΔG‖₂ ≤ √2·γ·(Σ_u ‖V_u‖_F)², and tr G is bounded by tr Ĝ + √n·‖ΔG‖_F. All allowances together are below 1e-10 relative
/// for the shapes of AlexNet.</para>
/// <para><b>Cost.</b> Kernel DFT: D·C·k_h·N_y·(N_x/2 + 1) complex multiply-adds (the column half once, the row half
/// per frequency). Per frequency: a Gram matrix (n²·m/2 complex multiply-adds, or the autocorrelation synthesis;
/// formed once for strided layers when all of them fit in 192 MB, twice otherwise), 8 screening Lanczos steps on it
/// (8 products with the n × n Gram matrix) and a Cholesky factorisation (n³/6), all SIMD (Vector256 of double) and
/// allocation-free; frequencies run in parallel on fixed work items, so the result does not depend on
/// the number of threads. Memory: the column transforms, 16·D·C·k_h·(N_x/2 + 1) bytes; on the autocorrelation path
/// 8·(2·#δ)·n² bytes for the S_δ and K_δ; for strided layers up to 192 MB of kept Gram matrices; per thread about
/// 8·(2n·m + 4n² (+ 8n²)) bytes.</para>
/// </remarks>
public static class ConvolutionNorm
{
    private const double U = 1.1102230246251565e-16;

    /// <summary>The operator norm of the convolution with <paramref name="weights"/> (D × C × kh × kw, row-major).</summary>
    /// <param name="weights">The kernels w[d][c][a][b]; exactly <see cref="ConvolutionShape.WeightCount"/> values.</param>
    /// <param name="shape">The layer geometry.</param>
    /// <param name="options">Settings, or null for <see cref="ConvolutionNormOptions.Default"/>.</param>
    /// <returns>A lower estimate and a certified upper bound of the norm.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">The weights have the wrong length or hold NaN or infinity.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="NotSupportedException">The half spectrum would exceed 2³¹ − 1 doubles.</exception>
    public static ConvolutionNormResult Compute(ReadOnlySpan<float> weights, ConvolutionShape shape, ConvolutionNormOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        options ??= ConvolutionNormOptions.Default;
        options.Validate();
        if (weights.Length != shape.WeightCount)
        {
            throw new ArgumentException($"Expected {shape.WeightCount} weights (D·C·kh·kw for {shape}), got {weights.Length}.", nameof(weights));
        }

        if (!TensorPrimitives.IsFiniteAll(weights)) throw new ArgumentException("The weights hold NaN or infinity.", nameof(weights));

        var problem = new Problem(shape, weights, options);
        return problem.Run();
    }

    /// <summary>One computation: sizes, the half spectrum and the per-frequency results.</summary>
    private sealed class Problem
    {
        private readonly ConvolutionShape _shape;
        private readonly ConvolutionNormOptions _options;
        private readonly double[] _weights;
        private readonly int _c, _d, _ny, _nx, _sc, _sy, _sx, _l, _ho, _wo, _hc;
        private readonly int _n, _m, _nPad, _mPad;
        private readonly bool _rowsAreOutputs;
        private readonly double _scale;
        private double[] _partial = [];
        private double[] _cosY = [], _sinY = [];
        private readonly double _dftAllowance;

        // Autocorrelation path (stride 1): G(ξ) = M₀ + Σ_δ S_δ·cos θ_δ(ξ) + i·Σ_δ K_δ·sin θ_δ(ξ), see ComputeAutocorrelation.
        private readonly bool _auto;
        private int[] _deltaY = [], _deltaX = [];
        private double[] _sk = [];
        private double _synthAllowance;
        private const int Batch = 4;

        // Per-frequency Gram matrices kept from the screening pass (strided layers, when they fit the budget) and
        // the squared Frobenius norms of A(η) (rounded up).
        private const long StoreBudgetBytes = 192L << 20;
        private double[] _storeR = [], _storeI = [], _frob2 = [];
        private bool _store;

        public Problem(ConvolutionShape shape, ReadOnlySpan<float> weights, ConvolutionNormOptions options)
        {
            _shape = shape;
            _options = options;
            _weights = new double[weights.Length];
            for (int i = 0; i < weights.Length; i++) _weights[i] = weights[i];
            _c = shape.InputChannels;
            _d = shape.OutputChannels;
            _ny = shape.PeriodHeight;
            _nx = shape.PeriodWidth;
            _sc = _nx / 2 + 1;
            _sy = shape.StrideY;
            _sx = shape.StrideX;
            _l = _sy * _sx;
            _ho = _ny / _sy;
            _wo = _nx / _sx;
            _hc = _wo / 2 + 1;
            _rowsAreOutputs = _d <= _c * _l;
            _n = _rowsAreOutputs ? _d : _c * _l;
            _m = _rowsAreOutputs ? _c * _l : _d;
            _nPad = (_n + 3) & ~3;
            _mPad = (_m + 3) & ~3;
            _scale = 1 / Math.Sqrt(_l);
            // Rounding of the direct DFT: each K̂ entry carries at most √2·γ_{2(kh+kw)+64}·Σ_ab |w_ab| (twiddles from
            // exact integer angles, within a few ulps), so ‖ΔA(η)‖₂ ≤ ‖ΔA(η)‖_F ≤ that factor times √(Σ_ch (Σ_ab |w|)²).
            int taps = shape.KernelHeight * shape.KernelWidth;
            double sum = 0;
            for (int ch = 0; ch < _d * _c; ch++)
            {
                double l1 = 0;
                for (int t = 0; t < taps; t++) l1 += Math.Abs(_weights[(long)ch * taps + t]);
                sum += l1 * l1;
            }

            _dftAllowance = Math.Sqrt(2) * Gamma(2.0 * (shape.KernelHeight + shape.KernelWidth) + 64) * Math.Sqrt(sum) * (1 + 1e-10);

            // Stride 1: Gram matrices from the kernel autocorrelation when that is cheaper than one Gram matrix per
            // frequency (pairs of taps with a non-negative offset, each an n × m × n product, against n²·m/2 complex
            // multiply-adds — four real ones each — per frequency).
            if (_l == 1)
            {
                long pairs = ((long)taps * taps + taps) / 2;
                double autoCost = (double)pairs * _n * _n * _m + (double)Frequencies * _n * _n * (2 * shape.KernelHeight) * (2 * shape.KernelWidth);
                double directCost = (double)Frequencies * _n * _n * _m * 2;
                long storage = (2L * shape.KernelHeight * (2 * shape.KernelWidth - 1)) * _n * _nPad;
                _auto = options.GramMethod == 2 || (options.GramMethod == 0 && autoCost < directCost && storage <= Array.MaxLength);
            }
        }

        private int Frequencies => _ho * _hc;

        private readonly System.Collections.Concurrent.ConcurrentBag<Worker> _pool = new();

        /// <summary>A worker from the pool (buffers are reused across the passes), or a new one.</summary>
        private Worker Rent() => _pool.TryTake(out Worker? w) ? w : new Worker(this);

        private void Return(Worker worker) => _pool.Add(worker);

        public ConvolutionNormResult Run()
        {
            long partialLength = 2L * _sc * _shape.KernelHeight * _d * _c;
            if (partialLength > Array.MaxLength)
            {
                throw new NotSupportedException($"The row transforms of {_shape} need {partialLength} doubles, more than one array can hold.");
            }

            ComputeSpectrum();
            if (_auto) ComputeAutocorrelation();

            int frequencies = Frequencies;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Threads };

            // Pass 1: rank the frequencies by a short Lanczos run each (seeded per frequency) on the Gram matrix —
            // synthesized from the autocorrelation (stride 1), or formed from A(η) and kept for pass 2 if it fits.
            double[] screen = new double[frequencies];
            long matrix = (long)_n * _nPad;
            if (!_auto)
            {
                _frob2 = new double[frequencies];
                _store = 16.0 * frequencies * matrix <= StoreBudgetBytes && frequencies * matrix <= Array.MaxLength;
                if (_store)
                {
                    _storeR = GC.AllocateUninitializedArray<double>((int)(frequencies * matrix), pinned: true);
                    _storeI = GC.AllocateUninitializedArray<double>((int)(frequencies * matrix), pinned: true);
                }
            }

            if (_auto)
            {
                int batches = (frequencies + Batch - 1) / Batch;
                Parallel.For(0, batches, parallel, Rent, (batch, _, worker) =>
                {
                    int first = batch * Batch, count = Math.Min(Batch, frequencies - first);
                    worker.Synthesize(first, count);
                    for (int b = 0; b < count; b++) screen[first + b] = worker.ScreenSynthesized(b, SeededRandom.Derive(_options.Seed, (ulong)(first + b)));
                    return worker;
                }, Return);
            }
            else
            {
                Parallel.For(0, frequencies, parallel, Rent, (f, _, worker) =>
                {
                    worker.Build(f);
                    screen[f] = worker.ScreenDirect(f, SeededRandom.Derive(_options.Seed, (ulong)f));
                    return worker;
                }, Return);
            }

            // Refine the top candidates by Lanczos; the largest Ritz value sets the common level.
            int[] order = new int[frequencies];
            for (int i = 0; i < frequencies; i++) order[i] = i;
            Array.Sort(order, (a, b) => screen[a] != screen[b] ? screen[b].CompareTo(screen[a]) : a.CompareTo(b));
            int candidates = Math.Min(_options.Candidates, frequencies);
            double[] ritz = new double[frequencies];
            bool[] refined = new bool[frequencies];
            Parallel.For(0, candidates, parallel, Rent, (i, _, worker) =>
            {
                int f = order[i];
                worker.Build(f);
                ritz[f] = worker.Lanczos(_options.Seed, 1e-5);
                refined[f] = true;
                return worker;
            }, Return);

            double level = 0;
            for (int f = 0; f < frequencies; f++) level = Math.Max(level, Math.Max(screen[f], ritz[f]));
            level *= 1 + _options.RelativeTolerance;

            // Pass 2: certify every frequency at the common level (its own level where that fails).
            double[] upper = new double[frequencies];
            byte[] how = new byte[frequencies];
            if (_auto)
            {
                int batches = (frequencies + Batch - 1) / Batch;
                Parallel.For(0, batches, parallel, Rent, (batch, _, worker) =>
                {
                    int first = batch * Batch, count = Math.Min(Batch, frequencies - first);
                    worker.Synthesize(first, count);
                    for (int b = 0; b < count; b++)
                    {
                        int f = first + b;
                        upper[f] = worker.CertifySynthesized(level, f, b, out how[f], out double theta);
                        if (how[f] is Worker.ByRefinement or Worker.ByFallback)
                        {
                            ritz[f] = Math.Max(ritz[f], theta);
                            refined[f] = true;
                        }
                    }

                    return worker;
                }, Return);
            }
            else
            {
                Parallel.For(0, frequencies, parallel, Rent, (f, _, worker) =>
                {
                    upper[f] = worker.Certify(level, f, out how[f], out double theta);
                    if (how[f] is Worker.ByRefinement or Worker.ByFallback)
                    {
                        ritz[f] = Math.Max(ritz[f], theta);
                        refined[f] = true;
                    }

                    return worker;
                }, Return);
            }

            double estimate = 0, bound = 0;
            int peak = 0, byFrobenius = 0, byCholesky = 0, refinedCount = 0;
            for (int f = 0; f < frequencies; f++)
            {
                double e = Math.Max(screen[f], ritz[f]);
                if (e > estimate)
                {
                    estimate = e;
                    peak = f;
                }

                bound = Math.Max(bound, upper[f]);
                if (how[f] == Worker.ByFrobenius) byFrobenius++;
                if (how[f] == Worker.ByCholesky) byCholesky++;
                if (refined[f]) refinedCount++;
            }

            bool exact = _shape.PaddingMode == PaddingMode.Circular;
            return new ConvolutionNormResult(estimate, bound, exact, _ny, _nx, peak / _hc, peak % _hc, frequencies, byFrobenius, byCholesky, refinedCount);
        }

        /// <summary>
        /// The first half of the separable DFT of the kernels (the second half is done per frequency by
        /// <see cref="KernelSpectrumAt"/>), by the separable DFT of the k_h × k_w kernels:
        /// <c>P[c][a][ch] = Σ_b w[ch][a][b]·e^{−2πi·b·c/N_x}</c>, then <c>K̂[r][c][ch] = Σ_a P[c][a][ch]·e^{−2πi·a·r/N_y}</c>,
        /// SIMD across the channels. For kernels much smaller than the map this costs D·C·k_h·N_y·(N_x/2 + 1) complex
        /// multiply-adds, less than a zero-padded FFT, and its rounding error has a proven bound (see <see cref="ConvolutionNorm"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeSpectrum()
        {
            int channels = _d * _c, kh = _shape.KernelHeight, kw = _shape.KernelWidth, sc = _sc;

            // Kernel taps with the channel index last: wt[(a·kw + b)·channels + ch].
            double[] wt = new double[(long)kh * kw * channels];
            for (int ch = 0; ch < channels; ch++)
            {
                for (int t = 0; t < kh * kw; t++) wt[(long)t * channels + ch] = _weights[(long)ch * kh * kw + t];
            }

            // Twiddles e^{−2πi·j/N} for j = 0 … N − 1, from the exact integer j·index mod N.
            double[] cosX = new double[_nx], sinX = new double[_nx], cosY = new double[_ny], sinY = new double[_ny];
            for (int j = 0; j < _nx; j++)
            {
                cosX[j] = Math.Cos(2 * Math.PI * j / _nx);
                sinX[j] = -Math.Sin(2 * Math.PI * j / _nx);
            }

            for (int j = 0; j < _ny; j++)
            {
                cosY[j] = Math.Cos(2 * Math.PI * j / _ny);
                sinY[j] = -Math.Sin(2 * Math.PI * j / _ny);
            }

            // P[c][a][ch], interleaved complex.
            double[] partial = new double[2L * sc * kh * channels];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Threads };
            Parallel.For(0, sc, parallel, c =>
            {
                for (int a = 0; a < kh; a++)
                {
                    Span<double> dst = partial.AsSpan((int)(2L * (c * kh + a) * channels), 2 * channels);
                    for (int b = 0; b < kw; b++)
                    {
                        int j = (int)((long)b * c % _nx);
                        ConvolutionNormKernels.AddRealTimesComplex(wt.AsSpan((a * kw + b) * channels, channels), cosX[j], sinX[j], dst);
                    }
                }
            });

            _partial = partial;
            _cosY = cosY;
            _sinY = sinY;
        }

        /// <summary>
        /// Stride 1: with V_u the n × m matrix of tap u = (a, b) on the Gram side (W_u = w[·][·][a][b] if D ≤ C, else
        /// W_uᵀ), <c>G(ξ) = Σ_{u,v} V_u·V_vᵀ·e^{−iθ_{u−v}(ξ)}</c> with θ_δ(ξ) = 2π(δ_y·ξ_y/N_y + δ_x·ξ_x/N_x). Grouping
        /// by the offset δ = u − v, with <c>M_δ = Σ_{u−v=δ} V_u·V_vᵀ</c> and M_{−δ} = M_δᵀ:
        /// <c>Re G = M₀ + Σ_{δ&gt;0} (M_δ + M_δᵀ)·cos θ_δ</c>, <c>Im G = Σ_{δ&gt;0} (M_δᵀ − M_δ)·sin θ_δ</c>, δ over a half-plane.
        /// The products are computed once (pairs of taps, n × m × n each); each frequency then costs about
        /// 2·(2k_h − 1)(2k_w − 1)·n²/2 multiply-adds instead of n²·m/2 complex ones. Stored: S_δ = M_δ + M_δᵀ
        /// (M₀ for δ = 0) at <c>2t·n·nPad</c> and K_δ = M_δᵀ − M_δ at <c>(2t + 1)·n·nPad</c> of one pinned array.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void ComputeAutocorrelation()
        {
            int kh = _shape.KernelHeight, kw = _shape.KernelWidth, taps = kh * kw, n = _n, m = _m, nPad = _nPad, mPad = _mPad;
            var dy = new List<int>();
            var dx = new List<int>();
            for (int y = 0; y < kh; y++)
            {
                for (int x = -(kw - 1); x < kw; x++)
                {
                    if (y == 0 && x < 0) continue;
                    dy.Add(y);
                    dx.Add(x);
                }
            }

            _deltaY = dy.ToArray();
            _deltaX = dx.ToArray();
            int deltas = _deltaY.Length;

            // V_u, tap-major, rows padded to nPad and columns to mPad with zeros.
            long vLength = (long)nPad * mPad;
            double[] v = GC.AllocateArray<double>((int)(taps * vLength), pinned: true);
            double[] norms = new double[taps];
            for (int d = 0; d < _d; d++)
            {
                for (int c = 0; c < _c; c++)
                {
                    for (int t = 0; t < taps; t++)
                    {
                        double w = _weights[((long)d * _c + c) * taps + t];
                        long at = t * vLength + (_rowsAreOutputs ? (long)d * mPad + c : (long)c * mPad + d);
                        v[at] = w;
                        norms[t] += w * w;
                    }
                }
            }

            double normSum = 0;
            foreach (double x in norms) normSum += Math.Sqrt(x);
            normSum *= 1 + 1e-12;
            // |ΔG_ij| ≤ √2·γ·Σ_{u,v} (|V_u|·|V_v|ᵀ)_ij with γ = γ_{m·taps + 2·(#δ) + 64} (the products, the sums over
            // pairs and offsets, the twiddles); ‖Σ_{u,v} |V_u|·|V_v|ᵀ‖_F ≤ (Σ_u ‖V_u‖_F)².
            _synthAllowance = Math.Sqrt(2) * Gamma((double)m * taps + 4.0 * deltas + 64) * normSum * normSum;

            long matrix = (long)n * nPad;
            _sk = GC.AllocateArray<double>((int)(2 * deltas * matrix), pinned: true);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Threads };
            Parallel.For(0, deltas, parallel, () => GC.AllocateArray<double>(nPad * nPad, pinned: true), (t, _, mt) =>
            {
                Array.Clear(mt);
                fixed (double* pv = v, pm = mt)
                {
                    for (int a = _deltaY[t]; a < kh; a++)
                    {
                        for (int b = Math.Max(0, _deltaX[t]); b < kw && b - _deltaX[t] < kw; b++)
                        {
                            int u = a * kw + b, w = (a - _deltaY[t]) * kw + (b - _deltaX[t]);
                            ConvolutionNormKernels.RealABtAccumulate(pv + u * vLength, pv + w * vLength, nPad, mPad, pm, nPad);
                        }
                    }
                }

                Span<double> sym = _sk.AsSpan((int)(2 * t * matrix), (int)matrix);
                Span<double> anti = _sk.AsSpan((int)((2 * t + 1) * matrix), (int)matrix);
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < nPad; j++)
                    {
                        double mij = mt[i * nPad + j], mji = j < n ? mt[j * nPad + i] : 0;
                        sym[i * nPad + j] = t == 0 ? mij : mij + mji;
                        anti[i * nPad + j] = t == 0 ? 0 : mji - mij;
                    }
                }

                return mt;
            }, _ => { });
        }

        /// <summary>cos θ_δ(ξ) and sin θ_δ(ξ) for offset index t at frequency index f, from the exact integer angle.</summary>
        private (double Cos, double Sin) Twiddle(int t, int f)
        {
            long ey = f / _hc, ex = f % _hc;
            long iy = ((_deltaY[t] * ey) % _ny + _ny) % _ny, ix = ((_deltaX[t] * ex) % _nx + _nx) % _nx;
            long index = (iy * _nx + ix * _ny) % ((long)_ny * _nx);
            double angle = 2 * Math.PI * index / ((double)_ny * _nx);
            return (Math.Cos(angle), Math.Sin(angle));
        }

        /// <summary>K̂ at bin (r, c) of the half spectrum (c ≤ N_x/2) for all D·C channels, interleaved complex, into <paramref name="dst"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void KernelSpectrumAt(int r, int c, Span<double> dst)
        {
            int channels = _d * _c, kh = _shape.KernelHeight;
            dst.Clear();
            for (int a = 0; a < kh; a++)
            {
                int j = (int)((long)a * r % _ny);
                ConvolutionNormKernels.AddComplexTimesComplex(_partial.AsSpan((int)(2L * (c * kh + a) * channels), 2 * channels), _cosY[j], _sinY[j], dst);
            }
        }

        /// <summary>Per-thread buffers and the per-frequency steps.</summary>
        private sealed unsafe class Worker
        {
            public const byte ByFrobenius = 1, ByCholesky = 2, ByRefinement = 3, ByFallback = 4;
            private readonly Problem _p;
            private readonly double[] _br, _bi, _gr, _gi, _lr, _li;
            private readonly double[] _k;
            private readonly double[] _ur, _ui, _alpha, _beta;
            private readonly double[] _sr = [], _si = [], _coefficients = [];

            public Worker(Problem p)
            {
                _p = p;
                long b = (long)p._nPad * p._mPad, g = (long)p._nPad * p._nPad;
                _br = GC.AllocateArray<double>((int)b, pinned: true);
                _bi = GC.AllocateArray<double>((int)b, pinned: true);
                _gr = GC.AllocateArray<double>((int)g, pinned: true);
                _gi = GC.AllocateArray<double>((int)g, pinned: true);
                _lr = GC.AllocateArray<double>((int)g, pinned: true);
                _li = GC.AllocateArray<double>((int)g, pinned: true);
                _k = new double[2 * p._d * p._c];
                int steps = Math.Min(p._options.ScreeningSteps, p._n);
                _ur = new double[(steps + 1) * p._n];
                _ui = new double[(steps + 1) * p._n];
                _alpha = new double[steps];
                _beta = new double[steps];
                if (p._auto)
                {
                    _sr = GC.AllocateArray<double>((int)(Batch * g), pinned: true);
                    _si = GC.AllocateArray<double>((int)(Batch * g), pinned: true);
                    _coefficients = GC.AllocateArray<double>(2 * Batch * p._deltaY.Length, pinned: true);
                }
            }

            /// <summary>The Gram matrices of frequencies first … first + count − 1 (count ≤ Batch) from the autocorrelation.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Synthesize(int first, int count)
            {
                Problem p = _p;
                int deltas = p._deltaY.Length;
                Array.Clear(_coefficients);
                for (int b = 0; b < count; b++)
                {
                    for (int t = 1; t < deltas; t++)
                    {
                        (double c, double sn) = p.Twiddle(t, first + b);
                        _coefficients[b * deltas + t] = c;
                        _coefficients[(Batch + b) * deltas + t] = sn;
                    }
                }

                fixed (double* sk = p._sk, coefficients = _coefficients, sr = _sr, si = _si)
                {
                    ConvolutionNormKernels.SynthesizeBatch(sk, deltas, (long)p._n * p._nPad, p._n, p._nPad, coefficients, sr, si);
                }
            }

            /// <summary>A certified bound of σ_max(A(η)) for member <paramref name="b"/> of the last synthesized batch.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public double CertifySynthesized(double level, int f, int b, out byte how, out double theta)
            {
                Problem p = _p;
                int n = p._n, stride = p._nPad;
                long offset = (long)b * n * stride;
                double trace = 0;
                for (int i = 0; i < n; i++) trace += _sr[offset + (long)i * stride + i];
                // λ_max(G) ≤ tr G for G ⪰ 0, and |tr Ĝ − tr G| ≤ √n·‖ΔG‖_F.
                double traceBound = Math.Max(0, trace) * (1 + 2 * Gamma(n + 4)) + Math.Sqrt(n) * p._synthAllowance;
                double fallback = Up(Math.Sqrt(Up(traceBound)));
                theta = 0;
                if (fallback <= level)
                {
                    how = ByFrobenius;
                    return fallback;
                }

                return CertifyGram(level, f, _sr, _si, offset, traceBound, p._synthAllowance, 0, fallback, out how, out theta);
            }

            private double* Br => (double*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _br[0]);
            private double* Bi => (double*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _bi[0]);

            /// <summary>Fills B with A(η) (rows: outputs) or Aᵀ(η) (rows: input channels × aliases) for frequency index f.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Build(int f)
            {
                Problem p = _p;
                int er = f / p._hc, ec = f % p._hc, dc = p._d * p._c;
                double scale = p._scale;
                for (int ly = 0; ly < p._sy; ly++)
                {
                    for (int lx = 0; lx < p._sx; lx++)
                    {
                        int l = ly * p._sx + lx;
                        int r = er + ly * p._ho, c = ec + lx * p._wo;
                        bool conj = c > p._nx / 2;
                        if (conj)
                        {
                            r = (p._ny - r) % p._ny;
                            c = p._nx - c;
                        }

                        double sign = conj ? -scale : scale;
                        p.KernelSpectrumAt(r, c, _k);
                        ReadOnlySpan<double> src = _k;
                        if (p._rowsAreOutputs)
                        {
                            for (int d = 0; d < p._d; d++)
                            {
                                Span<double> rowR = _br.AsSpan(d * p._mPad + l * p._c, p._c);
                                Span<double> rowI = _bi.AsSpan(d * p._mPad + l * p._c, p._c);
                                ReadOnlySpan<double> s = src.Slice(2 * d * p._c, 2 * p._c);
                                for (int ci = 0; ci < p._c; ci++)
                                {
                                    rowR[ci] = s[2 * ci] * scale;
                                    rowI[ci] = s[2 * ci + 1] * sign;
                                }
                            }
                        }
                        else
                        {
                            for (int d = 0; d < p._d; d++)
                            {
                                ReadOnlySpan<double> s = src.Slice(2 * d * p._c, 2 * p._c);
                                for (int ci = 0; ci < p._c; ci++)
                                {
                                    int row = (l * p._c + ci) * p._mPad + d;
                                    _br[row] = s[2 * ci] * scale;
                                    _bi[row] = s[2 * ci + 1] * sign;
                                }
                            }
                        }
                    }
                }
            }

            /// <summary>
            /// Modified Gram–Schmidt (twice) of w against the first
            /// <paramref name="count"/> complex vectors of (re, im) (each of length len), then normalisation; returns
            /// the norm before normalising.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private static double Orthonormalize(double[] re, double[] im, int len, int count, Span<double> wr, Span<double> wi)
            {
                fixed (double* qr = re, qi = im, pr = wr, pi = wi)
                {
                    ConvolutionNormKernels.OrthogonalizeAgainst(qr, qi, len, count, pr, pi);
                    ConvolutionNormKernels.OrthogonalizeAgainst(qr, qi, len, count, pr, pi);
                }

                double norm = Math.Sqrt(TensorPrimitives.Dot<double>(wr, wr) + TensorPrimitives.Dot<double>(wi, wi));
                if (norm > 1e-300)
                {
                    TensorPrimitives.Divide(wr, norm, wr);
                    TensorPrimitives.Divide(wi, norm, wi);
                }

                return norm;
            }

            /// <summary>The largest Ritz value of Golub–Kahan–Lanczos on the real embedding of B (a lower bound of σ_max).</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public double Lanczos(ulong seed, double tolerance, int maxIterations = int.MaxValue)
            {
                var op = new ComplexMatrixOperator(_br, _bi, _p._n, _p._m, _p._mPad);
                var options = new SpectralNormOptions { RelativeTolerance = tolerance, Seed = seed, MaxIterations = Math.Min(maxIterations, 2 * Math.Min(_p._n, _p._m) + 2) };
                return OperatorNorm.Compute(op, options).Estimate;
            }

            /// <summary>A certified upper bound of σ_max(A(η)) for the B built last, at the common level if possible.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public double Certify(double level, int f, out byte how, out double theta)
            {
                Problem p = _p;
                int m = p._m;
                theta = 0;
                double frob2 = p._frob2[f];
                double allowance = p._dftAllowance + 4 * U * Math.Sqrt(frob2);
                double frobenius = Up(Math.Sqrt(frob2)) + allowance;
                if (frobenius <= level)
                {
                    how = ByFrobenius;
                    return Up(frobenius);
                }

                double gramAllowance = Math.Sqrt(2) * Gamma(2.0 * m + 2) * frob2;
                if (p._store)
                {
                    return CertifyGram(level, f, p._storeR, p._storeI, f * (long)p._n * p._nPad, frob2, gramAllowance, allowance, Up(frobenius), out how, out theta);
                }

                Build(f);
                FormGram();
                return CertifyGram(level, f, _gr, _gi, 0, frob2, gramAllowance, allowance, Up(frobenius), out how, out theta);
            }

            /// <summary>‖B‖_F² of the B built last, rounded up (a sum of 2nm non-negative terms: relative error ≤ γ_{2nm}).</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private double FrobeniusSquared()
            {
                Problem p = _p;
                int n = p._n, m = p._m;
                double frob2 = 0;
                for (int i = 0; i < n; i++)
                {
                    ReadOnlySpan<double> r = _br.AsSpan(i * p._mPad, m), im = _bi.AsSpan(i * p._mPad, m);
                    frob2 += TensorPrimitives.Dot(r, r) + TensorPrimitives.Dot(im, im);
                }

                return frob2 * (1 + 2 * Gamma(2.0 * n * m + 4));
            }

            /// <summary>G = B·Bᴴ of the B built last into the worker's Gram buffer (lower triangle).</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private void FormGram()
            {
                fixed (double* gr = _gr, gi = _gi)
                {
                    ConvolutionNormKernels.GramLower(Br, Bi, _p._nPad, _p._mPad, gr, gi, _p._nPad);
                }
            }

            /// <summary>Screening of the B built last (strided layers): its Gram matrix, kept for pass 2 if stored, and a short Lanczos run on it.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public double ScreenDirect(int f, ulong seed)
            {
                Problem p = _p;
                p._frob2[f] = FrobeniusSquared();
                FormGram();
                long matrix = (long)p._n * p._nPad;
                if (p._store)
                {
                    Array.Copy(_gr, 0, p._storeR, f * matrix, matrix);
                    Array.Copy(_gi, 0, p._storeI, f * matrix, matrix);
                }

                return ScreenGram(_gr, _gi, 0, seed);
            }

            /// <summary>Screening of member b of the last synthesized batch.</summary>
            public double ScreenSynthesized(int b, ulong seed) => ScreenGram(_sr, _si, (long)b * _p._n * _p._nPad, seed);

            /// <summary>
            /// A few steps of Hermitian Lanczos (full reorthogonalisation) on the Gram matrix whose lower triangle is at
            /// (gr, gi)[offset…]; returns √θ for the largest Ritz value θ of the tridiagonal (a lower estimate of
            /// σ_max(A(η)) by interlacing). The upper triangle is filled in place (Gᵢⱼ = conj Gⱼᵢ); allocation-free.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private double ScreenGram(double[] gr, double[] gi, long offset, ulong seed)
            {
                int n = _p._n, stride = _p._nPad, steps = _alpha.Length;
                for (int i = 0; i < n; i++)
                {
                    long row = offset + (long)i * stride;
                    gi[row + i] = 0;
                    for (int j = i + 1; j < n; j++)
                    {
                        long at = offset + (long)j * stride + i;
                        gr[row + j] = gr[at];
                        gi[row + j] = -gi[at];
                    }
                }

                var random = new SeededRandom(seed);
                Span<double> q0r = _ur.AsSpan(0, n), q0i = _ui.AsSpan(0, n);
                for (int i = 0; i < n; i++)
                {
                    q0r[i] = random.NextGaussian();
                    q0i[i] = random.NextGaussian();
                }

                double norm = Math.Sqrt(TensorPrimitives.Dot<double>(q0r, q0r) + TensorPrimitives.Dot<double>(q0i, q0i));
                TensorPrimitives.Divide(q0r, norm, q0r);
                TensorPrimitives.Divide(q0i, norm, q0i);
                int k = 0;
                double scale = 0;
                fixed (double* pr = gr, pi = gi)
                {
                    for (int j = 0; j < steps; j++)
                    {
                        Span<double> wr = _ur.AsSpan((j + 1) * n, n), wi = _ui.AsSpan((j + 1) * n, n);
                        ConvolutionNormKernels.Multiply(pr + offset, pi + offset, n, n, stride, _ur.AsSpan(j * n, n), _ui.AsSpan(j * n, n), wr, wi);
                        _alpha[j] = TensorPrimitives.Dot<double>(_ur.AsSpan(j * n, n), wr) + TensorPrimitives.Dot<double>(_ui.AsSpan(j * n, n), wi);
                        k = j + 1;
                        double b = Orthonormalize(_ur, _ui, n, j + 1, wr, wi);
                        _beta[j] = b;
                        scale = Math.Max(scale, Math.Max(Math.Abs(_alpha[j]), b));

                        // An invariant Krylov space: the Ritz values are eigenvalues; a renormalised rounding residue would not be.
                        if (!(b > 1e-12 * scale)) break;
                    }
                }

                return Math.Sqrt(Math.Max(0, LargestTridiagonalEigenvalue(_alpha, _beta, k)));
            }

            /// <summary>The largest eigenvalue of the symmetric tridiagonal with diagonal α₀…α_{k−1} and off-diagonal β₀…β_{k−2}, by Sturm bisection.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private static double LargestTridiagonalEigenvalue(ReadOnlySpan<double> alpha, ReadOnlySpan<double> beta, int k)
            {
                double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                for (int i = 0; i < k; i++)
                {
                    double r = (i > 0 ? Math.Abs(beta[i - 1]) : 0) + (i < k - 1 ? Math.Abs(beta[i]) : 0);
                    lo = Math.Min(lo, alpha[i] - r);
                    hi = Math.Max(hi, alpha[i] + r);
                }

                for (int step = 0; step < 100 && hi - lo > 1e-15 * Math.Max(Math.Abs(hi), Math.Abs(lo)); step++)
                {
                    double mid = 0.5 * (lo + hi), d = 0;
                    int below = 0;
                    for (int i = 0; i < k; i++)
                    {
                        d = alpha[i] - mid - (i > 0 ? beta[i - 1] * beta[i - 1] / d : 0);
                        if (d == 0) d = -1e-300;
                        if (d < 0) below++;
                    }

                    if (below == k) hi = mid;
                    else lo = mid;
                }

                return lo;
            }

            /// <summary>
            /// Certifies the Gram matrix at (gr, gi)[offset…] at the common level, or else (after a Lanczos run on
            /// A(η), built here) at the frequency's own level, or else returns <paramref name="fallback"/>.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private double CertifyGram(double level, int f, double[] gr, double[] gi, long offset, double traceBound, double gramAllowance, double sigmaAllowance, double fallback, out byte how, out double theta)
            {
                theta = 0;
                if (TryCholesky(level * level, traceBound, gramAllowance, gr, gi, offset, out double boundSquared))
                {
                    how = ByCholesky;
                    return Up(Up(Math.Sqrt(boundSquared)) + sigmaAllowance);
                }

                how = ByRefinement;
                Build(f);
                theta = Lanczos(_p._options.Seed ^ 0xA5A5UL, 1e-7);
                double tolerance = _p._options.RelativeTolerance;
                double own = theta * (1 + tolerance);
                for (int attempt = 0; attempt < 6; attempt++)
                {
                    if (TryCholesky(own * own, traceBound, gramAllowance, gr, gi, offset, out boundSquared))
                    {
                        return Math.Min(fallback, Up(Up(Math.Sqrt(boundSquared)) + sigmaAllowance));
                    }

                    own *= 1 + tolerance * Math.Pow(10, attempt + 1);
                }

                how = ByFallback;
                return fallback;
            }

            /// <summary>
            /// Factorises s²·I − Ĝ for the computed Gram matrix Ĝ at (gr, gi)[offset…]; on success returns a certified
            /// bound of λ_max of the exact Gram matrix, given ‖Ĝ − G‖₂ ≤ <paramref name="gramAllowance"/> and
            /// tr G ≤ <paramref name="traceBound"/>.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private bool TryCholesky(double levelSquared, double traceBound, double gramAllowance, double[] gr, double[] gi, long offset, out double boundSquared)
            {
                Problem p = _p;
                int n = p._n, stride = p._nPad;
                for (int i = 0; i < n; i++)
                {
                    long row = (long)i * stride;
                    for (int j = 0; j < i; j++)
                    {
                        _lr[row + j] = -gr[offset + row + j];
                        _li[row + j] = -gi[offset + row + j];
                    }

                    _lr[row + i] = levelSquared - gr[offset + row + i];
                    _li[row + i] = 0;
                }

                bool ok;
                double factor2;
                fixed (double* lr = _lr, li = _li)
                {
                    ok = ConvolutionNormKernels.CholeskyLower(lr, li, n, stride, out factor2);
                }

                if (!ok)
                {
                    boundSquared = 0;
                    return false;
                }

                factor2 *= 1 + 2 * Gamma((double)n * n + 4);
                double cholesky = Gamma(4.0 * (n + 2)) * factor2;
                double diagonal = U * (levelSquared + traceBound);
                boundSquared = (levelSquared + cholesky + diagonal + gramAllowance) * (1 + 8 * U);
                return true;
            }
        }
    }

    private static double Gamma(double k) => k * U / (1 - k * U);

    /// <summary>x rounded up by a few ulps (covers the rounding of the last operation that produced it).</summary>
    private static double Up(double x) => double.BitIncrement(double.BitIncrement(x * (1 + 4 * U)));

    /// <summary>A complex n × m matrix in split storage as the real 2n × 2m operator [Re −Im; Im Re] (same singular values, each twice).</summary>
    private sealed unsafe class ComplexMatrixOperator : ILinearOperator
    {
        private readonly double[] _re, _im;
        private readonly int _n, _m, _stride;

        public ComplexMatrixOperator(double[] re, double[] im, int n, int m, int stride)
        {
            _re = re;
            _im = im;
            _n = n;
            _m = m;
            _stride = stride;
        }

        public int InputLength => 2 * _m;

        public int OutputLength => 2 * _n;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            fixed (double* br = _re, bi = _im)
            {
                ConvolutionNormKernels.Multiply(br, bi, _n, _m, _stride, x.Slice(0, _m), x.Slice(_m, _m), y.Slice(0, _n), y.Slice(_n, _n));
            }
        }

        public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
        {
            fixed (double* br = _re, bi = _im)
            {
                ConvolutionNormKernels.MultiplyAdjoint(br, bi, _n, _m, _stride, y.Slice(0, _n), y.Slice(_n, _n), x.Slice(0, _m), x.Slice(_m, _m));
            }
        }
    }
}
