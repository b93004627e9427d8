using BenchmarkDotNet.Attributes;
using Intriguing.Spectral;

namespace Intriguing.Benchmarks.Spectral;

/// <summary>
/// Time to bound the spectral norm of a Gaussian weight matrix (entries N(0, 1/cols), stored as float, the
/// initialisation of a dense layer; its top singular values crowd together at the Marchenko–Pastur edge, a hard
/// case for Krylov methods). Compare with <c>bench/reference/opnorm_numpy.py</c>, which uses the same distribution.
/// The iteration count of each size is printed once in the setup.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Intriguing.Benchmarks -- --filter '*OperatorNorm*'</c>.
/// A short throughput job (3 warm-up and 10 measured iterations) keeps the 4096×4096 case to about a minute.
/// </remarks>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class OperatorNormBenchmarks
{
    private float[] _matrix = [];
    private int _rows;
    private int _cols;

    /// <summary>rows × cols.</summary>
    [Params("100x784", "1000x1000", "4096x4096")]
    public string Shape { get; set; } = "100x784";

    /// <summary>The target relative width of the bracket.</summary>
    [Params(1e-6)]
    public double Tolerance { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split('x');
        _rows = int.Parse(parts[0]);
        _cols = int.Parse(parts[1]);
        _matrix = new float[_rows * _cols];
        var random = new SeededRandom(42);
        double scale = 1 / Math.Sqrt(_cols);
        for (int i = 0; i < _matrix.Length; i++) _matrix[i] = (float)(random.NextGaussian() * scale);

        SpectralNormResult result = Run();
        Console.WriteLine($"// {Shape}: σ₁ ∈ [{result.Estimate:R}, {result.UpperBound:R}], {result.Iterations} iterations, converged {result.Converged}");
    }

    [Benchmark]
    public SpectralNormResult Run() => OperatorNorm.Compute(_matrix, _rows, _cols, new SpectralNormOptions { RelativeTolerance = Tolerance });
}
