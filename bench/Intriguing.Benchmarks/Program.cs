using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "attack-table") { Intriguing.Benchmarks.Adversarial.AttackTable.Run(args); return; }
if (args.Length > 0 && args[0] == "lbfgsb-table") { Intriguing.Benchmarks.Optimization.LbfgsbTable.Run(); return; }

// Runs the benchmarks chosen on the command line, e.g. `dotnet run -c Release -- --filter '*Gemm*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
