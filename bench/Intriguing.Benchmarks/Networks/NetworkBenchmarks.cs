using BenchmarkDotNet.Attributes;
using Intriguing.Paper;

namespace Intriguing.Benchmarks.Networks;

/// <summary>
/// One training step (forward, soft-max cross-entropy, backward to every parameter, weight decay) and one attack
/// step (forward and gradient with respect to the input of one sample) of the generated FC100-100-10.
/// Run: <c>dotnet run -c Release --project bench/Intriguing.Benchmarks -- --filter '*NetworkBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private Fc100x100x10 _net = null!;
    private NetworkWorkspace _workspace = null!;
    private float[] _inputs = null!;
    private int[] _labels = null!;
    private float[] _gradient = null!;
    private float[] _inputGradient = null!;

    /// <summary>Samples per step.</summary>
    [Params(1, 128)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _net = new Fc100x100x10(1);
        _workspace = _net.CreateWorkspace(Batch);
        var random = new SeededRandom(2);
        _inputs = new float[Batch * Fc100x100x10.Layout.InputLength];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = random.NextSingle();
        _labels = new int[Batch];
        for (int i = 0; i < Batch; i++) _labels[i] = random.NextInt(10);
        _gradient = new float[Fc100x100x10.Layout.ParameterBufferLength];
        _inputGradient = new float[Batch * Fc100x100x10.Layout.InputLength];
    }

    /// <summary>Forward and backward to all parameters (a training step without the update).</summary>
    [Benchmark]
    public float ForwardBackward() => _net.LossAndGradient(_workspace, _inputs, _labels, Batch, _gradient);

    /// <summary>Forward and backward to parameters and inputs.</summary>
    [Benchmark]
    public float ForwardBackwardWithInputGradient() => _net.LossAndGradient(_workspace, _inputs, _labels, Batch, _gradient, _inputGradient);

    /// <summary>Forward and backward to the input only (what an attack evaluates per step).</summary>
    [Benchmark]
    public float InputGradientOnly() => _net.LossAndLayerGradient(_workspace, 0, _inputs, _labels, Batch, _inputGradient);
}
