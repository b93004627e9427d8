using System.Numerics.Tensors;
using Intriguing.Linear;
using Intriguing.Spectral;

namespace Intriguing.Layers;

// Operator-norm control of a dense layer during training (docs/lipschitz.md, "Controlling the bounds").
static partial class Dense
{
    /// <summary>
    /// The spectral norm σ = ‖W‖₂ of one dense layer tracked across training steps by power iteration with persistent
    /// vectors (u, v), and its gradient ∂σ/∂W = u·vᵀ (exact at convergence: σ = uᵀWv for the top singular pair).
    /// Allocates only in its constructor.
    /// </summary>
    internal sealed class NormTracker
    {
        private readonly int _outputs, _inputs;
        private readonly double[] _u, _v;
        private readonly float[] _uf, _vf;
        private readonly float[] _gram;

        /// <summary>A tracker for an <paramref name="outputs"/> × <paramref name="inputs"/> matrix, its start vector drawn from <paramref name="seed"/>.</summary>
        public NormTracker(int outputs, int inputs, ulong seed)
        {
            _outputs = outputs;
            _inputs = inputs;
            _u = new double[outputs];
            _v = new double[inputs];
            _uf = new float[outputs];
            _vf = new float[inputs];
            var random = new SeededRandom(seed);
            for (int i = 0; i < inputs; i++) _v[i] = random.NextGaussian();
            Normalize(_v);
            int side = Math.Min(outputs, inputs);
            _gram = new float[side * side];
        }

        /// <summary>Records that the weights were multiplied by <paramref name="factor"/> &gt; 0: σ scales with them, the pair stays.</summary>
        public void Rescaled(double factor) => Sigma *= factor;

        /// <summary>The last estimate of σ (0 before any).</summary>
        public double Sigma { get; private set; }

        /// <summary>
        /// Runs <paramref name="iterations"/> power steps u ← Wv/‖Wv‖, v ← Wᵀu/‖Wᵀu‖ from the persistent v and returns
        /// σ ≈ ‖Wᵀu‖ (a lower estimate of ‖W‖₂ that converges to it).
        /// </summary>
        public double Iterate(ReadOnlySpan<float> weights, int iterations)
        {
            double sigma = 0;
            for (int it = 0; it < iterations; it++)
            {
                DenseKernels.Multiply(weights, _outputs, _inputs, _v, _u);
                if (Normalize(_u) == 0) { Sigma = 0; return 0; }
                DenseKernels.MultiplyTransposed(weights, _outputs, _inputs, _u, _v);
                sigma = Normalize(_v);
                if (sigma == 0) { Sigma = 0; return 0; }
            }

            for (int i = 0; i < _outputs; i++) _uf[i] = (float)_u[i];
            for (int i = 0; i < _inputs; i++) _vf[i] = (float)_v[i];
            Sigma = sigma;
            return sigma;
        }

        /// <summary>gradient += coefficient·u·vᵀ (the gradient of coefficient·σ with the pair of the last <see cref="Iterate"/>).</summary>
        public void AddGradient(Span<float> gradient, float coefficient)
        {
            if (coefficient == 0 || Sigma == 0) return;
            for (int i = 0; i < _outputs; i++)
            {
                Span<float> row = gradient.Slice(i * _inputs, _inputs);
                TensorPrimitives.MultiplyAdd(_vf, coefficient * _uf[i], row, row);
            }
        }

        /// <summary>
        /// The Parseval regulariser (β/4)·‖WWᵀ − I‖²_F when outputs ≤ inputs (rows orthonormal), else (β/4)·‖WᵀW − I‖²_F
        /// (columns orthonormal); adds its gradient β·(WWᵀ − I)·W, resp. β·W·(WᵀW − I), to <paramref name="gradient"/>
        /// and returns its value. A gradient step of rate η on it is Cissé et al.'s (2017) retraction
        /// W ← (1 + ηβ)·W − ηβ·WWᵀW.
        /// </summary>
        public float AddParsevalGradient(ReadOnlySpan<float> weights, Span<float> gradient, float beta) =>
            Parseval(weights, gradient, _outputs, _inputs, beta, _gram);

        /// <summary><see cref="AddParsevalGradient"/> for any m × n row-major matrix, with a min(m, n)² scratch.</summary>
        internal static float Parseval(ReadOnlySpan<float> w, Span<float> gradient, int m, int n, float beta, Span<float> gram)
        {
            int side = Math.Min(m, n);
            Span<float> g = gram.Slice(0, side * side);
            if (m <= n) Gemm.MultiplyABt(w, w, g, m, m, n);
            else Gemm.MultiplyAtB(w, w, g, n, n, m);
            for (int i = 0; i < side; i++) g[i * side + i] -= 1;
            float value = 0.25f * beta * TensorPrimitives.SumOfSquares(g);
            TensorPrimitives.Multiply(g, beta, g);
            if (m <= n) Gemm.MultiplyAB(g, w, gradient.Slice(0, m * n), m, n, m, accumulate: true);
            else Gemm.MultiplyAB(w, g, gradient.Slice(0, m * n), m, n, n, accumulate: true);
            return value;
        }

        private static double Normalize(Span<double> x)
        {
            double norm = Math.Sqrt(TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)x));
            if (norm > 0) TensorPrimitives.Multiply(x, 1 / norm, x);
            return norm;
        }
    }

    /// <summary>
    /// A certified upper bound of ‖W‖₂ (<see cref="OperatorNorm"/>'s rounded-up Lanczos bound), for the projection's
    /// exact check.
    /// </summary>
    internal static double CertifiedNorm(ReadOnlySpan<float> weights, int outputs, int inputs) =>
        OperatorNorm.Compute(weights.Slice(0, outputs * inputs), outputs, inputs, null).UpperBound;
}
