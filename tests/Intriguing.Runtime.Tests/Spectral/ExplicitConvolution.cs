using Intriguing.Spectral;

namespace Intriguing.Tests.Spectral;

/// <summary>
/// The reference for <see cref="ConvolutionNorm"/>: a strided multi-channel cross-correlation written as plain
/// loops in double straight from its definition (no Fourier transform), with its adjoint, and as an explicit
/// dense matrix for small shapes.
/// </summary>
internal sealed class ExplicitConvolution : ILinearOperator
{
    private readonly double[] _w;
    private readonly ConvolutionShape _s;

    public ExplicitConvolution(ReadOnlySpan<float> weights, ConvolutionShape shape)
    {
        _w = new double[weights.Length];
        for (int i = 0; i < weights.Length; i++) _w[i] = weights[i];
        _s = shape;
    }

    public int InputLength => (int)_s.InputLength;

    public int OutputLength => (int)_s.OutputLength;

    /// <summary>The input index read by output (i, j) through tap (a, b) of channel c, or −1 for a zero of the padding.</summary>
    private int Source(int c, int i, int j, int a, int b)
    {
        int y = _s.StrideY * i + a - _s.Padding, x = _s.StrideX * j + b - _s.Padding;
        if (_s.PaddingMode == PaddingMode.Circular)
        {
            y = ((y % _s.Height) + _s.Height) % _s.Height;
            x = ((x % _s.Width) + _s.Width) % _s.Width;
        }
        else if (y < 0 || y >= _s.Height || x < 0 || x >= _s.Width)
        {
            return -1;
        }

        return (c * _s.Height + y) * _s.Width + x;
    }

    private double W(int d, int c, int a, int b) => _w[((d * _s.InputChannels + c) * _s.KernelHeight + a) * _s.KernelWidth + b];

    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        int ho = _s.OutputHeight, wo = _s.OutputWidth;
        for (int d = 0; d < _s.OutputChannels; d++)
        {
            for (int i = 0; i < ho; i++)
            {
                for (int j = 0; j < wo; j++)
                {
                    double sum = 0;
                    for (int c = 0; c < _s.InputChannels; c++)
                    {
                        for (int a = 0; a < _s.KernelHeight; a++)
                        {
                            for (int b = 0; b < _s.KernelWidth; b++)
                            {
                                int q = Source(c, i, j, a, b);
                                if (q >= 0) sum += W(d, c, a, b) * x[q];
                            }
                        }
                    }

                    y[(d * ho + i) * wo + j] = sum;
                }
            }
        }
    }

    public void ApplyAdjoint(ReadOnlySpan<double> y, Span<double> x)
    {
        x.Clear();
        int ho = _s.OutputHeight, wo = _s.OutputWidth;
        for (int d = 0; d < _s.OutputChannels; d++)
        {
            for (int i = 0; i < ho; i++)
            {
                for (int j = 0; j < wo; j++)
                {
                    double v = y[(d * ho + i) * wo + j];
                    for (int c = 0; c < _s.InputChannels; c++)
                    {
                        for (int a = 0; a < _s.KernelHeight; a++)
                        {
                            for (int b = 0; b < _s.KernelWidth; b++)
                            {
                                int q = Source(c, i, j, a, b);
                                if (q >= 0) x[q] += W(d, c, a, b) * v;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The dense OutputLength × InputLength matrix, row-major, built entry by entry from the definition.</summary>
    public double[] DenseMatrix()
    {
        int n = InputLength, ho = _s.OutputHeight, wo = _s.OutputWidth;
        double[] m = new double[(long)OutputLength * n];
        for (int d = 0; d < _s.OutputChannels; d++)
        {
            for (int i = 0; i < ho; i++)
            {
                for (int j = 0; j < wo; j++)
                {
                    int row = (d * ho + i) * wo + j;
                    for (int c = 0; c < _s.InputChannels; c++)
                    {
                        for (int a = 0; a < _s.KernelHeight; a++)
                        {
                            for (int b = 0; b < _s.KernelWidth; b++)
                            {
                                int q = Source(c, i, j, a, b);
                                if (q >= 0) m[(long)row * n + q] += W(d, c, a, b);
                            }
                        }
                    }
                }
            }
        }

        return m;
    }

    /// <summary>σ_max of the dense matrix by the one-sided Jacobi SVD in double.</summary>
    public double DenseNorm() => JacobiSvd.SingularValues(DenseMatrix(), OutputLength, InputLength)[0];

    public static float[] RandomWeights(ConvolutionShape shape, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] w = new float[shape.WeightCount];
        double scale = 1 / Math.Sqrt(shape.InputChannels * shape.KernelHeight * shape.KernelWidth);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextGaussian() * scale);
        return w;
    }
}
