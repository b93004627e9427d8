using BenchmarkDotNet.Running;

// Quick side-by-side timing tables bypass BenchmarkDotNet (each is compared with a reference tool by a script in
// bench/reference): `gemm-table [threads] [shape-file]`, `fft-table [sizes…]`, `lbfgsb-table`, `convnorm-table`, `graph-bounds-table [FILE]`,
// `attack-table DIR EXPORT [N]`, `train-table [SECONDS]`.
if (args.Length > 0)
{
    switch (args[0])
    {
        case "gemm-table":
            Intriguing.Benchmarks.Linear.GemmTable.Run(args[1..]);
            return;
        case "fft-table":
            Intriguing.Benchmarks.Fourier.FftTable.Run(args[1..]);
            return;
        case "convnorm-table":
            Intriguing.Benchmarks.Spectral.ConvNormTable.Run(args[1..]);
            return;
        case "graph-bounds-table":
            Intriguing.Benchmarks.Spectral.GraphBoundsTable.Run(args[1..]);
            return;
        case "lbfgsb-table":
            Intriguing.Benchmarks.Optimization.LbfgsbTable.Run();
            return;
        case "train-table":
            Intriguing.Benchmarks.Training.TrainTable.Run(args);
            return;
        case "certify-bracket":
            Intriguing.Benchmarks.Certification.BracketTable.Run(args);
            return;
        case "certify-table":
            Intriguing.Benchmarks.Certification.CertifyTable.Run(args);
            return;
        case "pool-table":
            Intriguing.Benchmarks.Adversarial.PoolTable.Run(args);
            return;
        case "attack-table":
            Intriguing.Benchmarks.Adversarial.AttackTable.Run(args);
            return;

        // The batched attacks against float64 PyTorch (bench/reference/attacks_compare.sh): `attacks-table DIR EXPORT [N]`.
        case "attacks-table":
            Intriguing.Benchmarks.Adversarial.AttacksTable.Run(args);
            return;

        // Convolutional networks: `conv-table [SECONDS]` (against PyTorch by bench/reference/conv_compare.sh) and
        // `conv-profile` (microseconds per sample of each MNIST-Conv kernel).
        case "conv-table":
            Intriguing.Benchmarks.Training.ConvTable.Run(args);
            return;
        // Norm control: `lipschitz-table [SECONDS] [ROUNDS]`, throughput with each LipschitzOptions mode against none.
        case "lipschitz-table":
            Intriguing.Benchmarks.Training.LipschitzTable.Run(args);
            return;
        case "conv-profile":
            Intriguing.Benchmarks.Training.ConvProfile.Run();
            return;
    }
}

// Runs the benchmarks chosen on the command line, e.g. `dotnet run -c Release -- --filter '*Gemm*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
