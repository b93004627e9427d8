using BenchmarkDotNet.Running;

// `gemm-table [threads] [shape-file]`: side-by-side timing mode used by bench/reference/gemm_compare.sh.
if (args.Length > 0 && args[0] == "gemm-table")
{
    Intriguing.Benchmarks.Linear.GemmTable.Run(args[1..]);
    return;
}

// Runs the benchmarks chosen on the command line, e.g. `dotnet run -c Release -- --filter '*Gemm*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
