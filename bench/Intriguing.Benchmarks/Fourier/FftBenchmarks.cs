using BenchmarkDotNet.Attributes;
using Intriguing.Fourier;

namespace Intriguing.Benchmarks.Fourier;

/// <summary>
/// Square 2-D complex single-precision forward FFT, out of place, caller scratch (0 bytes allocated per op).
/// Run: <c>dotnet run -c Release --project bench/Intriguing.Benchmarks -- --filter '*FftBenchmarks*'</c>.
/// For the side-by-side table with FFTW and NumPy use <c>bench/reference/fft_compare.sh</c>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FftBenchmarks
{
    private Fft2DPlan<float> _plan = null!;
    private float[] _input = null!;
    private float[] _output = null!;
    private float[] _scratch = null!;

    [Params(8, 13, 16, 28, 32, 55, 64, 128, 224, 256)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plan = Fft2DPlan<float>.Create(N, N);
        _input = new float[_plan.ChannelLength];
        var random = new Random(N);
        for (int i = 0; i < _input.Length; i++) _input[i] = (float)(2 * random.NextDouble() - 1);
        _output = new float[_input.Length];
        _scratch = new float[_plan.ScratchLength];
    }

    [Benchmark]
    public void Forward2D() => _plan.Forward(_input, _output, _scratch);
}

/// <summary>
/// Batched real-input 2-D transforms of many channels (the convolution-operator-norm workload: C×D kernels
/// zero-padded to N×N), 64 channels per op, float.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RealFftBatchBenchmarks
{
    private const int Channels = 64;
    private RealFft2DPlan<float> _plan = null!;
    private float[] _input = null!;
    private float[] _output = null!;
    private float[] _scratch = null!;

    [Params(13, 28, 55)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plan = RealFft2DPlan<float>.Create(N, N);
        _input = new float[Channels * _plan.RealLength];
        var random = new Random(N);
        for (int i = 0; i < _input.Length; i++) _input[i] = (float)(2 * random.NextDouble() - 1);
        _output = new float[Channels * _plan.SpectrumLength];
        _scratch = new float[_plan.ScratchLength];
    }

    [Benchmark]
    public void ForwardBatch64() => _plan.ForwardBatch(_input, _output, Channels, _scratch);
}
