namespace Intriguing.Fourier.Tests;

/// <summary>Independent reference: O(n²) DFTs in double precision, and helpers to compare against them.</summary>
internal static class NaiveDft
{
    /// <summary>X[k] = Σ_j x[j]·e^{∓2πi·jk/n} (sign − forward, + inverse), unnormalised, interleaved.</summary>
    public static double[] Dft(ReadOnlySpan<double> x, bool inverse = false)
    {
        int n = x.Length / 2;
        var cos = new double[n];
        var sin = new double[n];
        for (int i = 0; i < n; i++)
        {
            cos[i] = Math.Cos(2 * Math.PI * i / n);
            sin[i] = Math.Sin(2 * Math.PI * i / n);
        }
        double sign = inverse ? 1 : -1;
        var y = new double[2 * n];
        for (int k = 0; k < n; k++)
        {
            double re = 0, im = 0;
            for (int j = 0; j < n; j++)
            {
                int idx = (int)((long)j * k % n);
                double c = cos[idx], s = sign * sin[idx];
                re += x[2 * j] * c - x[2 * j + 1] * s;
                im += x[2 * j] * s + x[2 * j + 1] * c;
            }
            y[2 * k] = re;
            y[2 * k + 1] = im;
        }
        return y;
    }

    /// <summary>Unnormalised 2-D DFT of a rows × cols interleaved array, as naive 1-D DFTs of every row then every column.</summary>
    public static double[] Dft2D(ReadOnlySpan<double> x, int rows, int cols, bool inverse = false)
    {
        var a = x.ToArray();
        var line = new double[2 * cols];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(a, 2 * r * cols, line, 0, 2 * cols);
            Array.Copy(Dft(line, inverse), 0, a, 2 * r * cols, 2 * cols);
        }
        var column = new double[2 * rows];
        for (int c = 0; c < cols; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                column[2 * r] = a[2 * (r * cols + c)];
                column[2 * r + 1] = a[2 * (r * cols + c) + 1];
            }
            double[] t = Dft(column, inverse);
            for (int r = 0; r < rows; r++)
            {
                a[2 * (r * cols + c)] = t[2 * r];
                a[2 * (r * cols + c) + 1] = t[2 * r + 1];
            }
        }
        return a;
    }

    /// <summary>‖actual − expected‖₂ / ‖expected‖₂ (absolute error when the reference is zero).</summary>
    public static double RelativeError<T>(ReadOnlySpan<T> actual, ReadOnlySpan<double> expected)
        where T : System.Numerics.INumberBase<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = double.CreateChecked(actual[i]) - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    public static double[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < values.Length; i++) values[i] = 2 * random.NextDouble() - 1;
        return values;
    }

    public static T[] Convert<T>(double[] values) where T : System.Numerics.INumberBase<T>
        => values.Select(T.CreateChecked).ToArray();

    public static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : System.Numerics.INumberBase<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = double.CreateChecked(values[i]);
        return result;
    }

    /// <summary>Tolerance required by the task: 1e-5 for float, 1e-12 for double.</summary>
    public static double Tolerance<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;
}
