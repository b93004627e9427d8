using Intriguing.Linear;

namespace Intriguing.Runtime.Tests.Linear;

/// <summary>
/// The three GEMM products against a naive triple loop in double precision.
/// </summary>
/// <remarks>
/// Tolerance: a float sum of k products (any summation order, fused or not) plus the initial C when accumulating has
/// the rounding bound |ĉ − c| ≤ γ·(|c₀| + Σₚ|aₚ||bₚ|) with γ = (k + 2)·u, u = 2⁻²⁴ (Higham, Accuracy and Stability of
/// Numerical Algorithms, §3.1), plus one rounding of the result. Any indexing or tail mistake produces errors of the
/// order of Σ|a||b| itself, far above that bound.
/// </remarks>
public sealed class GemmTests
{
    public enum Product { ABt, AB, AtB }

    private const float Sentinel = 12345.5f;

    /// <summary>Sizes 0 … 3·16 + 1 on every dimension; the other two dimensions drawn from the same set.</summary>
    public static TheoryData<Product, bool, int> EverySizeOnEveryDimension()
    {
        var data = new TheoryData<Product, bool, int>();
        foreach (Product product in Enum.GetValues<Product>())
        {
            foreach (bool accumulate in new[] { false, true })
            {
                for (int dimension = 0; dimension < 3; dimension++) data.Add(product, accumulate, dimension);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EverySizeOnEveryDimension))]
    public void Small_shapes_match_naive_product(Product product, bool accumulate, int dimension)
    {
        var random = new Random(1000 + (int)product * 10 + dimension + (accumulate ? 5 : 0));
        for (int size = 0; size <= 49; size++)
        {
            int[] shape = [random.Next(50), random.Next(50), random.Next(50)];
            shape[dimension] = size;
            CheckAgainstNaive(product, shape[0], shape[1], shape[2], accumulate, random);
        }
    }

    public static TheoryData<Product, int, int, int> LargerShapes()
    {
        var data = new TheoryData<Product, int, int, int>();
        (int M, int N, int K)[] shapes =
        [
            (100, 784, 128), (37, 129, 17), (257, 300, 65),
            // MNIST layers at batch 1, 32 and 128 (forward, input gradient and weight gradient shapes).
            (1, 100, 784), (1, 100, 100), (1, 10, 100), (1, 784, 100), (100, 784, 1), (10, 100, 1),
            (32, 100, 784), (32, 10, 100), (100, 784, 32), (128, 100, 784), (10, 100, 128),
            // Across the depth (256), row (168) and column (1024) blocks, and a very thin and a very flat C.
            (170, 1030, 513), (3, 2000, 300), (600, 5, 40), (65, 67, 1),
            // B packed because its row stride is a multiple of 1 KB.
            (40, 256, 300), (64, 1024, 40),
        ];
        foreach (Product product in Enum.GetValues<Product>())
        {
            foreach ((int m, int n, int k) in shapes) data.Add(product, m, n, k);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LargerShapes))]
    public void Larger_and_odd_shapes_match_naive_product(Product product, int m, int n, int k)
    {
        var random = new Random(m * 7919 + n * 31 + k);
        CheckAgainstNaive(product, m, n, k, accumulate: false, random);
        CheckAgainstNaive(product, m, n, k, accumulate: true, random);
    }

    public static TheoryData<Product, int, int, int> SplitShapes()
    {
        var data = new TheoryData<Product, int, int, int>();
        (int M, int N, int K)[] shapes = [(256, 256, 256), (1, 8200, 600), (1400, 24, 200), (50, 1500, 130), (129, 100, 784), (100, 784, 128)];
        foreach (Product product in Enum.GetValues<Product>())
        {
            foreach ((int m, int n, int k) in shapes) data.Add(product, m, n, k);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SplitShapes))]
    public void Parallel_result_is_bit_identical_to_serial(Product product, int m, int n, int k)
    {
        var random = new Random(m + n + k);
        float[] a = RandomValues(random, m * k);
        float[] b = RandomValues(random, n * k);
        float[] start = RandomValues(random, m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] serial = (float[])start.Clone();
            Multiply(product, a, b, serial, m, n, k, accumulate, 1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                float[] parallel = (float[])start.Clone();
                Multiply(product, a, b, parallel, m, n, k, accumulate, threads);
                Assert.Equal(serial, parallel);
            }
        }

        // The shape really is split when two cores are available (otherwise the comparison above is vacuous).
        if (Environment.ProcessorCount >= 2)
        {
            Assert.True(PartsFor(product, a, b, m, n, k, 2) == 2, "expected the problem to be split in two");
        }
    }

    [Fact]
    public void Single_threaded_calls_allocate_nothing_after_the_first()
    {
        (int M, int N, int K)[] shapes = [(1, 100, 784), (32, 784, 100), (128, 100, 784), (300, 1030, 300), (37, 129, 17)];
        var random = new Random(9);
        foreach ((int m, int n, int k) in shapes)
        {
            float[] a = RandomValues(random, m * k), b = RandomValues(random, n * k), c = new float[m * n];
            foreach (Product product in Enum.GetValues<Product>())
            {
                Multiply(product, a, b, c, m, n, k, accumulate: false, 1);

                long allocated = AllocationProbe.BytesAllocated(() =>
                {
                    for (int repeat = 0; repeat < 3; repeat++)
                    {
                        switch (product)
                        {
                            case Product.ABt: Gemm.MultiplyABt(a, b, c, m, n, k, accumulate: true); break;
                            case Product.AB: Gemm.MultiplyAB(a, b, c, m, n, k); break;
                            default: Gemm.MultiplyAtB(a, b, c, m, n, k); break;
                        }
                    }
                });
                Assert.Equal(0, allocated);
            }
        }
    }

    [Fact]
    public void Non_finite_values_propagate_like_the_naive_product()
    {
        // k = 20 makes the vector dot kernel re-read an overlapping last vector; masked lanes must not turn ∞·0 into NaN.
        const int m = 2, n = 3, k = 20;
        var random = new Random(5);
        foreach (Product product in Enum.GetValues<Product>())
        {
            float[] a = RandomValues(random, m * k);
            float[] b = RandomValues(random, n * k);
            b[Index(product, isA: false, 5, 1, m, n, k)] = float.PositiveInfinity;
            float[] c = new float[m * n];
            Multiply(product, a, b, c, m, n, k, accumulate: false, 1);
            double[] expected = Naive(product, a, b, null, m, n, k);
            for (int e = 0; e < m * n; e++)
            {
                Assert.Equal(expected[e], c[e], 1e-4);
                Assert.Equal(double.IsPositiveInfinity(expected[e]) || double.IsNegativeInfinity(expected[e]), float.IsInfinity(c[e]));
            }
        }
    }

    public static TheoryData<int> Levels()
    {
        var data = new TheoryData<int>();
        foreach (SimdLevel level in Enum.GetValues<SimdLevel>()) data.Add((int)level);
        return data;
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Every_vector_width_matches_naive_product(int levelNumber)
    {
        var level = (SimdLevel)levelNumber;
        // All widths the hardware has, in one run: the process-wide choice only picks the widest.
        if (!SimdSupport.CanRun(level)) return;
        var random = new Random(77 + (int)level);
        foreach (Product product in Enum.GetValues<Product>())
        {
            for (int size = 0; size <= 49; size += 1)
            {
                int[] shape = [random.Next(50), random.Next(50), random.Next(50)];
                shape[size % 3] = size;
                CheckAgainstNaive(product, shape[0], shape[1], shape[2], accumulate: size % 2 == 0, random, level);
            }

            CheckAgainstNaive(product, 37, 129, 17, accumulate: true, random, level);
            CheckAgainstNaive(product, 70, 130, 300, accumulate: false, random, level);
            CheckAgainstNaive(product, 1, 100, 784, accumulate: false, random, level);
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void A_single_row_gives_the_bits_of_that_row_in_a_two_row_product(int levelNumber)
    {
        // A one-row A·Bᵀ takes eight-column dot kernels, a two-row one the 2 × 4 tiles; every element must be the same sum.
        var level = (SimdLevel)levelNumber;
        if (!SimdSupport.CanRun(level)) return;
        var random = new Random(91 + (int)level);
        foreach (int k in new[] { 1, 7, 15, 16, 17, 33, 100, 784 })
        {
            foreach (int n in new[] { 1, 4, 7, 8, 9, 15, 16, 17, 100 })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] a = Enumerable.Range(0, 2 * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                    float[] b = Enumerable.Range(0, n * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                    float[] c0 = Enumerable.Range(0, 2 * n).Select(_ => (float)random.NextDouble()).ToArray();
                    float[] one = c0.Take(n).ToArray(), two = c0.ToArray();
                    Gemm.Multiply(Gemm.GemmProduct.ABt, level, a.AsSpan(0, k), b, one, 1, n, k, accumulate, 1);
                    Gemm.Multiply(Gemm.GemmProduct.ABt, level, a, b, two, 2, n, k, accumulate, 1);
                    for (int j = 0; j < n; j++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(one[j]) == BitConverter.SingleToInt32Bits(two[j]), $"{level} n={n} k={k} accumulate={accumulate} column {j}: {one[j]} vs {two[j]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Vector_width_follows_the_runtime_switches()
    {
        // CI runs the suite again with these switches so that the 256-bit and scalar kernels are the ones tested.
        // .NET 10 ignores the older DOTNET_EnableAVX512F knob: a run that sets only it would silently test AVX-512 again.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.Equal(SimdLevel.Scalar, SimdSupport.Level);
        }
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0" || Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") == "0")
        {
            Assert.True(
                SimdSupport.Level is SimdLevel.Vector256 or SimdLevel.Vector128,
                $"AVX-512 was switched off but the kernels run at {SimdSupport.Level}; on .NET 10 set DOTNET_EnableAVX512=0 (DOTNET_EnableAVX512F is no longer read).");
        }
        else
        {
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, SimdSupport.Level == SimdLevel.Vector512);
        }
    }

    [Fact]
    public void Bad_arguments_throw_with_the_argument_name()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyAB(a, b, c, -1, 2, 3)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyABt(a, b, c, 2, -2, 3)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyAtB(a, b, c, 2, 2, -3)).ParamName);
        Assert.Equal("degreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyAB(a, b, c, 2, 2, 3, false, 0)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.MultiplyAB(a, b, c, 2, 2, 4)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.MultiplyABt(a, b, c, 1, 2, 4)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.MultiplyAtB(a, b, c, 3, 2, 1)).ParamName);
    }

    private static int PartsFor(Product product, float[] a, float[] b, int m, int n, int k, int threads) =>
        Gemm.PlannedThreads((Gemm.GemmProduct)(int)product, m, n, k, threads);

    private static void CheckAgainstNaive(Product product, int m, int n, int k, bool accumulate, Random random, SimdLevel? level = null)
    {
        float[] a = RandomValues(random, m * k);
        float[] b = RandomValues(random, n * k);
        // Without accumulate the old contents must be ignored: fill with NaN. A sentinel tail must stay untouched.
        float[] c = new float[m * n + 3];
        for (int e = 0; e < c.Length; e++) c[e] = e < m * n ? (accumulate ? (float)(random.NextDouble() * 2 - 1) : float.NaN) : Sentinel;
        float[]? start = accumulate ? c[..(m * n)] : null;

        if (level is { } explicitLevel) Gemm.Multiply((Gemm.GemmProduct)(int)product, explicitLevel, a, b, c.AsSpan(0, m * n + 3), m, n, k, accumulate, 1);
        else Multiply(product, a, b, c.AsSpan(0, m * n + 3), m, n, k, accumulate, 1);

        double[] expected = Naive(product, a, b, start, m, n, k);
        double[] magnitude = NaiveMagnitude(product, a, b, start, m, n, k);
        double gamma = (k + 3) * Math.ScaleB(1, -24);
        for (int e = 0; e < m * n; e++)
        {
            double error = Math.Abs(c[e] - expected[e]);
            double bound = gamma * magnitude[e] + 1e-30;
            if (!(error <= bound))
            {
                Assert.Fail($"{product} m={m} n={n} k={k} accumulate={accumulate}: C[{e / n},{e % n}] = {c[e]} but the naive product is {expected[e]} (|error| {error:E2} > bound {bound:E2})");
            }
        }

        for (int e = m * n; e < c.Length; e++) Assert.Equal(Sentinel, c[e]);
    }

    private static void Multiply(Product product, float[] a, float[] b, Span<float> c, int m, int n, int k, bool accumulate, int threads)
    {
        switch (product)
        {
            case Product.ABt: Gemm.MultiplyABt(a, b, c, m, n, k, accumulate, threads); break;
            case Product.AB: Gemm.MultiplyAB(a, b, c, m, n, k, accumulate, threads); break;
            default: Gemm.MultiplyAtB(a, b, c, m, n, k, accumulate, threads); break;
        }

        if (threads == 1)
        {
            // The overloads without degreeOfParallelism are the single-threaded product.
            float[] again = c.ToArray();
            switch (product)
            {
                case Product.ABt when !accumulate: Gemm.MultiplyABt(a, b, again, m, n, k); break;
                case Product.AB when !accumulate: Gemm.MultiplyAB(a, b, again, m, n, k); break;
                case Product.AtB when !accumulate: Gemm.MultiplyAtB(a, b, again, m, n, k); break;
            }

            Assert.Equal(c.ToArray(), again);
        }
    }

    /// <summary>Position of A[i, p] (isA) or B[p, j] in the product's storage layout.</summary>
    private static int Index(Product product, bool isA, int p, int ij, int m, int n, int k) => (product, isA) switch
    {
        (Product.AtB, true) => p * m + ij,
        (_, true) => ij * k + p,
        (Product.ABt, false) => ij * k + p,
        _ => p * n + ij,
    };

    private static double[] Naive(Product product, float[] a, float[] b, float[]? start, int m, int n, int k)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = start is null ? 0 : start[i * n + j];
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[Index(product, true, p, i, m, n, k)] * b[Index(product, false, p, j, m, n, k)];
                }

                result[i * n + j] = sum;
            }
        }

        return result;
    }

    private static double[] NaiveMagnitude(Product product, float[] a, float[] b, float[]? start, int m, int n, int k)
    {
        float[] absA = Array.ConvertAll(a, Math.Abs), absB = Array.ConvertAll(b, Math.Abs);
        float[]? absStart = start is null ? null : Array.ConvertAll(start, Math.Abs);
        return Naive(product, absA, absB, absStart, m, n, k);
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
