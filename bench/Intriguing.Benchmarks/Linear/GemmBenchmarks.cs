using BenchmarkDotNet.Attributes;
using Intriguing.Linear;

namespace Intriguing.Benchmarks.Linear;

/// <summary>Square products, single-threaded and split over two threads.</summary>
/// <remarks><c>dotnet run -c Release -- --filter '*GemmSquareBenchmarks*'</c></remarks>
[MemoryDiagnoser]
public class GemmSquareBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(256, 512, 1024, 2048)]
    public int Size { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_a, _b, _c) = GemmData.Create(Size * Size, Size * Size, Size * Size);
        // Warm the per-thread packing buffers so the measured calls allocate nothing.
        Gemm.MultiplyAB(_a, _b, _c, Size, Size, Size, false, Threads);
    }

    [Benchmark]
    public void AB() => Gemm.MultiplyAB(_a, _b, _c, Size, Size, Size, false, Threads);

    [Benchmark]
    public void ABt() => Gemm.MultiplyABt(_a, _b, _c, Size, Size, Size, false, Threads);

    [Benchmark]
    public void AtB() => Gemm.MultiplyAtB(_a, _b, _c, Size, Size, Size, false, Threads);
}

/// <summary>
/// The MNIST dense layers (784→100, 100→100, 100→10) at batch 1, 32 and 128: forward <c>Y = X·Wᵀ</c>,
/// input gradient <c>dX = dY·W</c> and weight gradient <c>dW = dYᵀ·X</c>, single-threaded.
/// </summary>
/// <remarks><c>dotnet run -c Release -- --filter '*GemmMnistBenchmarks*'</c></remarks>
[MemoryDiagnoser]
public class GemmMnistBenchmarks
{
    private float[] _x = [], _w = [], _y = [], _dx = [], _dw = [];

    [Params(1, 32, 128)]
    public int Batch { get; set; }

    [Params("784x100", "100x100", "100x10")]
    public string Layer { get; set; } = "784x100";

    private int In => int.Parse(Layer.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int Out => int.Parse(Layer.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    private int _in, _out;

    [GlobalSetup]
    public void Setup()
    {
        (_in, _out) = (In, Out);
        (_x, _w, _y) = GemmData.Create(Batch * _in, _out * _in, Batch * _out);
        (_dx, _dw, _) = GemmData.Create(Batch * _in, _out * _in, 0);
        Forward();
        InputGradient();
        WeightGradient();
    }

    /// <summary>Y[batch×out] = X[batch×in] · W[out×in]ᵀ.</summary>
    [Benchmark]
    public void Forward() => Gemm.MultiplyABt(_x, _w, _y, Batch, _out, _in);

    /// <summary>dX[batch×in] = dY[batch×out] · W[out×in].</summary>
    [Benchmark]
    public void InputGradient() => Gemm.MultiplyAB(_y, _w, _dx, Batch, _in, _out);

    /// <summary>dW[out×in] = dY[batch×out]ᵀ · X[batch×in].</summary>
    [Benchmark]
    public void WeightGradient() => Gemm.MultiplyAtB(_y, _x, _dw, _out, _in, Batch);
}

internal static class GemmData
{
    internal static (float[] A, float[] B, float[] C) Create(int a, int b, int c)
    {
        var random = new Random(42);
        return (Fill(random, a), Fill(random, b), new float[c]);
    }

    private static float[] Fill(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() - 0.5);
        return values;
    }
}
