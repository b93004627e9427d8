using Intriguing.Spectral;

namespace Intriguing.Tests.Spectral;

/// <summary>
/// Matrices with known singular values for the spectral tests: A = U·diag(s)·Vᵀ with U, V orthonormal columns from
/// Householder QR of Gaussian matrices, formed by naive loops in double.
/// </summary>
public static class SpectralTestMatrices
{
    /// <summary>The kinds of spectra the tests use.</summary>
    public enum Spectrum
    {
        /// <summary>Uniform random in [0.1, 3], sorted descending.</summary>
        Random,

        /// <summary>A clustered top: 1, 1 − 1e-6, 1 − 2e-6, … (ten values), then uniform in [0, 0.9].</summary>
        ClusteredTop,

        /// <summary>Geometric from 1 down to 1e-10.</summary>
        IllConditioned,
    }

    public static double[] MakeSpectrum(Spectrum kind, int r, SeededRandom random)
    {
        double[] s = new double[r];
        switch (kind)
        {
            case Spectrum.Random:
                for (int i = 0; i < r; i++) s[i] = 0.1 + 2.9 * random.NextDouble();
                break;
            case Spectrum.ClusteredTop:
                for (int i = 0; i < r; i++) s[i] = i < 10 ? 1 - 1e-6 * i : 0.9 * random.NextDouble();
                break;
            case Spectrum.IllConditioned:
                for (int i = 0; i < r; i++) s[i] = r == 1 ? 1 : Math.Pow(10, -10.0 * i / (r - 1));
                break;
        }

        Array.Sort(s);
        Array.Reverse(s);
        return s;
    }

    /// <summary>
    /// n × r orthonormal columns (row-major): the Q factor of a Gaussian n × r matrix by Householder QR, with
    /// column signs fixed so that R has a positive diagonal (which makes Q Haar distributed).
    /// </summary>
    public static double[] RandomOrthonormalColumns(int n, int r, SeededRandom random)
    {
        double[] a = new double[n * r];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextGaussian();

        // Householder reflectors H_k = I − 2·w_k·w_kᵀ zero column k below the diagonal.
        double[][] reflectors = new double[r][];
        double[] rDiagonalSign = new double[r];
        for (int k = 0; k < r; k++)
        {
            double norm = 0;
            for (int i = k; i < n; i++) norm += a[i * r + k] * a[i * r + k];
            norm = Math.Sqrt(norm);
            double x0 = a[k * r + k];
            double alpha = x0 >= 0 ? -norm : norm;   // R[k,k] = alpha
            double[] w = new double[n];
            for (int i = k; i < n; i++) w[i] = a[i * r + k];
            w[k] -= alpha;
            double wn = 0;
            for (int i = k; i < n; i++) wn += w[i] * w[i];
            wn = Math.Sqrt(wn);
            if (wn > 0) for (int i = k; i < n; i++) w[i] /= wn;
            reflectors[k] = w;
            rDiagonalSign[k] = alpha >= 0 ? 1 : -1;
            for (int j = k; j < r; j++)
            {
                double dot = 0;
                for (int i = k; i < n; i++) dot += w[i] * a[i * r + j];
                for (int i = k; i < n; i++) a[i * r + j] -= 2 * w[i] * dot;
            }
        }

        // Q = H_0·H_1·…·H_{r−1} applied to the first r columns of the identity.
        double[] q = new double[n * r];
        for (int j = 0; j < r; j++) q[j * r + j] = 1;
        for (int k = r - 1; k >= 0; k--)
        {
            double[] w = reflectors[k];
            for (int j = 0; j < r; j++)
            {
                double dot = 0;
                for (int i = k; i < n; i++) dot += w[i] * q[i * r + j];
                for (int i = k; i < n; i++) q[i * r + j] -= 2 * w[i] * dot;
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < r; j++) q[i * r + j] *= rDiagonalSign[j];
        }

        return q;
    }

    /// <summary>Row-major rows × cols matrix U·diag(s)·Vᵀ with random orthonormal U (rows × r) and V (cols × r).</summary>
    public static double[] WithSingularValues(int rows, int cols, double[] s, SeededRandom random)
    {
        int r = s.Length;
        double[] u = RandomOrthonormalColumns(rows, r, random);
        double[] v = RandomOrthonormalColumns(cols, r, random);
        double[] a = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += u[i * r + k] * s[k] * v[j * r + k];
                a[i * cols + j] = sum;
            }
        }

        return a;
    }

    public static float[] ToFloat(double[] a)
    {
        float[] f = new float[a.Length];
        for (int i = 0; i < a.Length; i++) f[i] = (float)a[i];
        return f;
    }

    public static double[] ToDouble(float[] a)
    {
        double[] d = new double[a.Length];
        for (int i = 0; i < a.Length; i++) d[i] = a[i];
        return d;
    }

    /// <summary>max |(Mᵀ·M − I)ᵢⱼ| for the columns of a row-major rows × cols matrix M (naive loops).</summary>
    public static double OrthonormalityError(double[] m, int rows, int cols)
    {
        double worst = 0;
        for (int p = 0; p < cols; p++)
        {
            for (int q = 0; q < cols; q++)
            {
                double dot = 0;
                for (int i = 0; i < rows; i++) dot += m[i * cols + p] * m[i * cols + q];
                worst = Math.Max(worst, Math.Abs(dot - (p == q ? 1 : 0)));
            }
        }

        return worst;
    }

    /// <summary>A dense matrix seen through its transpose: Apply is Aᵀ·y, ApplyAdjoint is A·x (naive loops).</summary>
    public sealed class TransposedOperator(double[] a, int rows, int cols) : ILinearOperator
    {
        public int InputLength => rows;

        public int OutputLength => cols;

        public void Apply(ReadOnlySpan<double> y, Span<double> x)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int i = 0; i < rows; i++) sum += a[i * cols + j] * y[i];
                x[j] = sum;
            }
        }

        public void ApplyAdjoint(ReadOnlySpan<double> x, Span<double> y)
        {
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int j = 0; j < cols; j++) sum += a[i * cols + j] * x[j];
                y[i] = sum;
            }
        }
    }

    /// <summary>A diagonal operator diag(d) (square); by orthogonal invariance it stands for U·diag(d)·Vᵀ.</summary>
    public sealed class DiagonalOperator(double[] d) : ILinearOperator
    {
        public int InputLength => d.Length;

        public int OutputLength => d.Length;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            for (int i = 0; i < d.Length; i++) y[i] = d[i] * x[i];
        }

        public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x) => Apply(y, x);
    }

    /// <summary>
    /// The forward difference (D·x)ᵢ = x_{i+1} − xᵢ, an (n − 1) × n operator with singular values
    /// 2·sin(kπ / (2n)), k = 1 … n − 1, so σ₁ = 2·cos(π / (2n)): a closely clustered top of the spectrum.
    /// </summary>
    public sealed class ForwardDifference(int n) : ILinearOperator
    {
        public int InputLength => n;

        public int OutputLength => n - 1;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            for (int i = 0; i < n - 1; i++) y[i] = x[i + 1] - x[i];
        }

        public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
        {
            for (int j = 0; j < n; j++) x[j] = (j > 0 ? y[j - 1] : 0) - (j < n - 1 ? y[j] : 0);
        }
    }
}
