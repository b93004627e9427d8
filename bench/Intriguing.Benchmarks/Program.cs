using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line, e.g. `dotnet run -c Release -- --filter '*Gemm*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
