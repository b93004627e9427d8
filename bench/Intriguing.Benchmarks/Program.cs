using BenchmarkDotNet.Running;

// Quick side-by-side timing tables bypass BenchmarkDotNet: `dotnet run -c Release -- fft-table [sizes…]`.
if (args.Length > 0 && args[0] == "fft-table")
{
    Intriguing.Benchmarks.Fourier.FftTable.Run(args[1..]);
    return;
}

// Runs the benchmarks chosen on the command line, e.g. `dotnet run -c Release -- --filter '*Gemm*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
