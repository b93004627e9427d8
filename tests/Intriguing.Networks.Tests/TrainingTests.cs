using Intriguing.Data;
using Intriguing.Generated;
using Intriguing.Paper;
using Intriguing.Training;

namespace Intriguing.Networks.Tests;

/// <summary>Training on real MNIST data, determinism, checkpoints and resumption.</summary>
public class TrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intriguing-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Lazy<MnistData> s_mnist = new(() => Mnist.Load(TestData.MnistDirectory()));

    [Fact]
    public void Smoke_training_on_600_real_examples_reaches_stated_accuracy()
    {
        // 600 training images, 20 epochs of FC100-100-10; evaluated on 1,000 test images.
        // A network that learned nothing is at 90% error; this recipe fits the 600 images and stays well under 22% on the test images.
        Dataset train = s_mnist.Value.Train.Take(600);
        Dataset test = s_mnist.Value.Test.Take(1000);
        var net = new Fc100x100x10(7);
        TrainingResult result = Trainer.Fit(net, train, new SgdOptions { Epochs = 20, BatchSize = 20, LearningRate = 0.1f, Seed = 3 });
        Assert.Equal(20, result.EpochLosses.Count);
        Assert.True(result.EpochLosses[^1] < result.EpochLosses[0] / 3, string.Join(", ", result.EpochLosses));
        double error = Evaluation.ErrorRate(net, test);
        Assert.True(error < 0.22, $"test error {error:P2} after training on 600 examples");
        double trainError = Evaluation.ErrorRate(net, train);
        Assert.True(trainError < 0.01, $"training error {trainError:P2}, test error {error:P2}");
    }

    private static Dataset Synthetic(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        float[] x = new float[count * 784];
        int[] y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = random.NextInt(10);
            for (int j = 0; j < 784; j++) x[i * 784 + j] = random.NextSingle() * 0.3f + (j % 10 == y[i] ? 0.7f : 0f);
        }

        return new Dataset("synthetic", x, y, 784, 10);
    }

    public static TheoryData<string, bool, bool> FusedStepCases() => new()
    {
        { "FC100-100-10", false, false },
        { "FC100-100-10", true, true },
        { "FC100-100-10", false, true },
        { "SigmoidNet", false, true },
        { "TanhReluNet", true, false }, // a dense layer without bias, ReLU, tanh, a layer without decay
        { "DeepImageNet", false, false },
    };

    private static IClassifier Make(string name) => name switch
    {
        "FC100-100-10" => new Fc100x100x10(3),
        "SigmoidNet" => new SigmoidNet(3),
        "TanhReluNet" => new TanhReluNet(3),
        _ => new DeepImageNet(3),
    };

    [Theory]
    [MemberData(nameof(FusedStepCases))]
    public void Fused_single_sample_step_is_bit_identical_to_gradient_then_update(string name, bool nesterov, bool split)
    {
        using var pool = new WorkerPool(3);
        FusedStepSplitter? splitter = split ? new FusedStepSplitter(pool) : null;
        // Reference: the general path (gradient buffer at batch 1, then the trainer's update); both from the same start.
        IClassifier reference = Make(name), fused = Make(name);
        int n = reference.InputLength, outputs = reference.OutputLength;
        NetworkWorkspace rw = reference.CreateWorkspace(1), fw = fused.CreateWorkspace(1);
        var steps = new DenseStackSgd((IDenseStackNetwork)fused, 1);
        float[] gradient = new float[reference.ParameterBufferLength];
        float[] rv = new float[gradient.Length], fv = new float[gradient.Length];
        var random = new SeededRandom(5);
        const int Steps = 25;
        float[][] xs = new float[Steps + 1][];
        for (int step = 0; step <= Steps; step++)
        {
            // Inputs with exact zeros (as in MNIST images) and negative values.
            xs[step] = new float[n];
            for (int i = 0; i < n; i++) xs[step][i] = random.NextSingle() < 0.3f ? 0f : random.NextSingle() * 2 - 0.5f;
        }

        for (int step = 0; step < Steps; step++)
        {
            // A few steps with a zero rate. Most steps form the next sample's first layer ahead (nextInput); every fourth
            // does not, step 10 is followed by another pass on the workspace (which must discard the look-ahead), and step
            // 16's look-ahead names an input the next step does not use.
            float[] x = xs[step];
            int label = random.NextInt(outputs);
            float rate = step % 7 == 6 ? 0f : 0.05f;
            float expected = reference.LossAndGradient(rw, x, [label], 1, gradient);
            Trainer.Update(reference.Parameters, rv, gradient, 0.9f, rate, nesterov);
            float[]? next = step % 4 == 3 ? null : step == 16 ? xs[0] : xs[step + 1];
            float loss = steps.Step(x, label, fv, 0.9f, rate, nesterov, splitter, next);
            if (step == 10)
            {
                // Another pass through the network (in its own workspace; the steps keep their buffers apart) must not
                // disturb the look-ahead the next step takes its product from.
                float[] hidden = new float[fused.Summary.Layers[0].OutputLength];
                Array.Fill(hidden, 0.25f);
                fused.ForwardFrom(fw, 1, hidden, new float[outputs]);
            }
            Assert.True(Math.Abs(loss - expected) <= 1e-6f * Math.Abs(expected), $"loss {loss:R}, general path {expected:R}"); // the penalty is summed in another order
            for (int i = 0; i < gradient.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(reference.Parameters[i]) == BitConverter.SingleToInt32Bits(fused.Parameters[i]),
                    $"{name}, step {step}: parameter {i} is {fused.Parameters[i]:R}, general path {reference.Parameters[i]:R}");
                Assert.True(BitConverter.SingleToInt32Bits(rv[i]) == BitConverter.SingleToInt32Bits(fv[i]),
                    $"{name}, step {step}: velocity {i} is {fv[i]:R}, general path {rv[i]:R}");
            }
        }
    }

    public static TheoryData<string, bool, int, int> FusedBatchStepCases() => new()
    {
        { "FC100-100-10", false, 32, 0 },
        { "FC100-100-10", true, 7, 2 },
        { "FC100-100-10", false, 64, 3 },
        { "FC200-200-10", false, 32, 2 },
        { "SigmoidNet", false, 5, 3 },
        { "TanhReluNet", true, 13, 2 }, // a dense layer without bias, ReLU, tanh, a layer without decay
        { "DeepImageNet", false, 2, 0 },
        { "DeepImageNet", true, 20, 3 },
    };

    [Theory]
    [MemberData(nameof(FusedBatchStepCases))]
    public void Fused_batch_step_is_bit_identical_to_gradient_then_update(string name, bool nesterov, int batch, int threads)
    {
        // Reference: the general path on the whole batch (one gradient buffer, then the trainer's update), from the same
        // start; the fused step forms each block of rows of the gradient in scratch, split over 0 (no splitter), 2 or 3 threads.
        using var pool = new WorkerPool(Math.Max(1, threads));
        FusedStepSplitter? splitter = threads > 0 ? new FusedStepSplitter(pool) : null;
        IClassifier reference = name == "FC200-200-10" ? new Fc200x200x10(3) : Make(name), fused = name == "FC200-200-10" ? new Fc200x200x10(3) : Make(name);
        int n = reference.InputLength, outputs = reference.OutputLength;
        NetworkWorkspace rw = reference.CreateWorkspace(batch);
        var steps = new DenseStackSgd((IDenseStackNetwork)fused, batch);
        float[] gradient = new float[reference.ParameterBufferLength];
        float[] rv = new float[gradient.Length], fv = new float[gradient.Length];
        var random = new SeededRandom(6);
        float[] x = new float[batch * n];
        int[] labels = new int[batch];
        for (int step = 0; step < 12; step++)
        {
            // Inputs with exact zeros (as in MNIST images) and negative values; some steps with a smaller batch or a zero rate.
            int count = step % 5 == 4 ? Math.Max(1, batch / 2 - 1) : batch;
            for (int i = 0; i < count * n; i++) x[i] = random.NextSingle() < 0.3f ? 0f : random.NextSingle() * 2 - 0.5f;
            for (int b = 0; b < count; b++) labels[b] = random.NextInt(outputs);
            float rate = step % 6 == 5 ? 0f : 0.05f;
            float expected = reference.LossAndGradient(rw, x.AsSpan(0, count * n), labels.AsSpan(0, count), count, gradient);
            Trainer.Update(reference.Parameters, rv, gradient, 0.9f, rate, nesterov);
            float loss = steps.BatchStep(x.AsSpan(0, count * n), labels.AsSpan(0, count), count, fv, 0.9f, rate, nesterov, splitter);
            Assert.True(Math.Abs(loss - expected) <= 1e-6f * Math.Abs(expected), $"loss {loss:R}, general path {expected:R}"); // the penalty is summed in another order
            for (int i = 0; i < gradient.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(reference.Parameters[i]) == BitConverter.SingleToInt32Bits(fused.Parameters[i]),
                    $"{name}, batch {count}, step {step}: parameter {i} is {fused.Parameters[i]:R}, general path {reference.Parameters[i]:R}");
                Assert.True(BitConverter.SingleToInt32Bits(rv[i]) == BitConverter.SingleToInt32Bits(fv[i]),
                    $"{name}, batch {count}, step {step}: velocity {i} is {fv[i]:R}, general path {rv[i]:R}");
            }
        }
    }

    [Fact]
    public void Batch_one_training_uses_the_fused_step_and_matches_the_general_path()
    {
        // The trainer's batch-1 path (fused) against a hand-written loop over the same order with the general path.
        Dataset data = Synthetic(40, 4);
        var trained = new Fc100x100x10(2);
        var options = new SgdOptions { Epochs = 2, BatchSize = 1, LearningRate = 0.02f, Momentum = 0.9f, Seed = 6, Schedule = LearningRateSchedule.Constant };
        TrainingResult result = Trainer.Fit(trained, data, options);

        IClassifier manual = new Fc100x100x10(2);
        NetworkWorkspace ws = manual.CreateWorkspace(1);
        float[] gradient = new float[manual.ParameterBufferLength], velocity = new float[gradient.Length];
        int[] order = new int[data.Count];
        for (int epoch = 0; epoch < 2; epoch++)
        {
            double epochLoss = 0;
            for (int i = 0; i < order.Length; i++) order[i] = i;
            new SeededRandom(SeededRandom.Derive(options.Seed, (ulong)epoch)).Shuffle(order.AsSpan());
            foreach (int index in order)
            {
                epochLoss += manual.LossAndGradient(ws, data.Sample(index), [data.Labels[index]], 1, gradient);
                Trainer.Update(manual.Parameters, velocity, gradient, 0.9f, 0.02f, false);
            }

            // The fused step sums the weight-decay penalty in another order (DenseStackSgd): equal to float rounding.
            // With SIMD the two orders happen to agree bit for bit; without it they differ in the ninth digit.
            double expected = epochLoss / data.Count;
            Assert.True(Math.Abs(result.EpochLosses[epoch] - expected) <= 1e-6 * Math.Abs(expected), $"epoch {epoch}: loss {result.EpochLosses[epoch]:R}, general path {expected:R}");
        }

        Assert.True(manual.Parameters.SequenceEqual(trained.Parameters));

        // Splitting the large layers over threads gives the same parameters and losses.
        var split = new Fc100x100x10(2);
        TrainingResult splitResult = Trainer.Fit(split, data, options with { SplitSingleSampleSteps = true, Threads = 2 });
        Assert.True(split.Parameters.SequenceEqual(trained.Parameters));
        Assert.Equal(result.EpochLosses, splitResult.EpochLosses);
    }

    [Fact]
    public void Batch_training_with_a_fused_step_matches_the_whole_batch_gradient_then_update()
    {
        // The trainer's fused batch path (split over two threads) against a hand-written loop over the same order with
        // the general path on each whole batch (one gradient, then the update); 43 samples in batches of 8 leave a last
        // batch of 3. Chunks does not matter to a network with a fused step, and is not in its checkpoint settings.
        Dataset data = Synthetic(43, 5);
        var trained = new Fc100x100x10(2);
        var options = new SgdOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.05f, Momentum = 0.9f, Seed = 6, Nesterov = true, Chunks = 3, Threads = 2 };
        TrainingResult result = Trainer.Fit(trained, data, options);

        IClassifier manual = new Fc100x100x10(2);
        NetworkWorkspace ws = manual.CreateWorkspace(8);
        float[] gradient = new float[manual.ParameterBufferLength], velocity = new float[gradient.Length];
        float[] batch = new float[8 * 784];
        int[] labels = new int[8], order = new int[data.Count];
        int stepsPerEpoch = (data.Count + 7) / 8;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            for (int i = 0; i < order.Length; i++) order[i] = i;
            new SeededRandom(SeededRandom.Derive(options.Seed, (ulong)epoch)).Shuffle(order.AsSpan());
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                int count = Math.Min(8, data.Count - step * 8);
                for (int b = 0; b < count; b++)
                {
                    data.Sample(order[step * 8 + b]).CopyTo(batch.AsSpan(b * 784, 784));
                    labels[b] = data.Labels[order[step * 8 + b]];
                }

                manual.LossAndGradient(ws, batch.AsSpan(0, count * 784), labels.AsSpan(0, count), count, gradient);
                float rate = options.RateAt(epoch, (long)epoch * stepsPerEpoch + step, (long)stepsPerEpoch * options.Epochs);
                Trainer.Update(manual.Parameters, velocity, gradient, options.Momentum, rate, true);
            }
        }

        Assert.True(manual.Parameters.SequenceEqual(trained.Parameters));
        Assert.Contains("step=fused", Trainer.Describe(trained, options));
        Assert.DoesNotContain("chunks=", Trainer.Describe(trained, options));
        Assert.Contains("chunks=3", Trainer.Describe(new PoolNet(1), options));

        // One thread gives the same parameters and losses.
        var single = new Fc100x100x10(2);
        Assert.Equal(result.EpochLosses, Trainer.Fit(single, data, options with { Threads = 1 }).EpochLosses);
        Assert.True(single.Parameters.SequenceEqual(trained.Parameters));
    }

    [Fact]
    public void Batch_one_training_without_a_fused_step_takes_the_general_path()
    {
        // Pooling and dropout have no fused step: a one-sample batch goes through LossAndGradient (dropout masks included).
        Assert.True(Trainer.HasFusedStep(new SigmoidNet(1)));
        Assert.False(Trainer.HasFusedStep(new PoolNet(1)));
        Assert.False(Trainer.HasFusedStep(new DropoutNet(1)));

        var random = new SeededRandom(8);
        foreach (IClassifier net in new IClassifier[] { new PoolNet(2), new DropoutNet(2) })
        {
            int count = 30;
            float[] x = new float[count * net.InputLength];
            int[] y = new int[count];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle();
            for (int i = 0; i < count; i++) y[i] = random.NextInt(net.OutputLength);
            var data = new Dataset("random", x, y, net.InputLength, net.OutputLength);
            var options = new SgdOptions { Epochs = 2, BatchSize = 1, LearningRate = 0.01f, Seed = 3, Schedule = LearningRateSchedule.Constant };
            float[] before = net.Parameters.ToArray();
            TrainingResult result = Trainer.Fit(net, data, options);
            Assert.All(result.EpochLosses, l => Assert.True(double.IsFinite(l)));
            Assert.False(before.AsSpan().SequenceEqual(net.Parameters), $"{net.Name} did not change");

            // The batch-of-one general path is what a batch size of one means: the same as the trainer with batch 1 and one chunk.
            IClassifier again = net is PoolNet ? new PoolNet(2) : new DropoutNet(2);
            Trainer.Fit(again, data, options with { Chunks = 1, Threads = 1 });
            Assert.True(again.Parameters.SequenceEqual(net.Parameters));
        }
    }

    [Fact]
    public void Same_seed_same_parameters_regardless_of_thread_count()
    {
        Dataset data = Synthetic(300, 1);
        var a = new Fc100x100x10(1);
        var b = new Fc100x100x10(1);
        Trainer.Fit(a, data, new SgdOptions { Epochs = 2, BatchSize = 30, Seed = 9, Threads = 1 });
        Trainer.Fit(b, data, new SgdOptions { Epochs = 2, BatchSize = 30, Seed = 9, Threads = 2 });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));

        var c = new Fc100x100x10(1);
        Trainer.Fit(c, data, new SgdOptions { Epochs = 2, BatchSize = 30, Seed = 10, Threads = 2 });
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
    }

    [Fact]
    public void Interrupted_run_resumes_to_the_same_parameters()
    {
        Dataset data = Synthetic(200, 2);
        var options = new SgdOptions { Epochs = 4, BatchSize = 16, Seed = 5, Nesterov = true };

        var uninterrupted = new Fc100x100x10(3);
        Trainer.Fit(uninterrupted, data, options);

        // Kill after the second epoch (cancellation from the progress callback), then resume in a fresh process state.
        string path = Path.Combine(_dir, "run.ckpt");
        var first = new Fc100x100x10(3);
        using var cts = new CancellationTokenSource();
        var stopAfterTwo = new Progress(p => { if (p.Epoch == 2 && p.Step == p.StepsPerEpoch) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Trainer.Fit(first, data, options with { CheckpointPath = path }, stopAfterTwo, cts.Token));
        Assert.Equal(2, Checkpoint.Load(path, new Fc100x100x10()).EpochsDone);

        var resumed = new Fc100x100x10(999); // different initial parameters: the checkpoint must replace them
        TrainingResult r = Trainer.Fit(resumed, data, options with { CheckpointPath = path });
        Assert.Equal(2, r.StartEpoch);
        Assert.True(uninterrupted.Parameters.SequenceEqual(resumed.Parameters));

        // A finished checkpoint is reused without training.
        var again = new Fc100x100x10(5);
        Assert.Empty(Trainer.Fit(again, data, options with { CheckpointPath = path }).EpochLosses);
        Assert.True(uninterrupted.Parameters.SequenceEqual(again.Parameters));
    }

    [Fact]
    public void Checkpoint_round_trip_and_errors()
    {
        string path = Path.Combine(_dir, "a.ckpt");
        var net = new Fc100x100x10(4);
        float[] velocity = Enumerable.Range(0, Fc100x100x10.Layout.ParameterBufferLength).Select(i => i * 0.5f).ToArray();
        Checkpoint.Save(path, net, new CheckpointState(7, 42, velocity, "settings text"));

        var loaded = new Fc100x100x10(5);
        CheckpointState state = Checkpoint.Load(path, loaded);
        Assert.True(net.Parameters.SequenceEqual(loaded.Parameters));
        Assert.Equal(7, state.EpochsDone);
        Assert.Equal(42UL, state.Seed);
        Assert.Equal(velocity, state.OptimizerState);
        Assert.Equal("settings text", state.Settings);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        // Another architecture.
        var e1 = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new Fc200x200x10()));
        Assert.Contains("is for FC100-100-10", e1.Message);
        Assert.Contains("not for FC200-200-10", e1.Message);

        // One flipped bit anywhere, or a truncation, is detected and leaves the target untouched.
        byte[] bytes = File.ReadAllBytes(path);
        var target = new Fc100x100x10(6);
        float[] before = target.Parameters.ToArray();
        foreach (int position in new[] { 9, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            byte[] corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= 0x10;
            File.WriteAllBytes(path, corrupt);
            Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target));
        }

        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        Assert.Contains("checksum mismatch", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target)).Message);
        File.WriteAllBytes(path, "not a checkpoint"u8.ToArray());
        Assert.Contains("not an Intriguing checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target)).Message);
        Assert.True(before.AsSpan().SequenceEqual(target.Parameters));
    }

    [Fact]
    public void Reproduce_sets_a_checkpoint_of_other_settings_aside_and_trains_afresh()
    {
        // A checkpoint left by an earlier version (other settings) must not stop `reproduce`: it is moved to .stale and
        // the model trained by the current recipe; the next run reuses the new checkpoint.
        var data = new MnistData(Synthetic(48, 7), Synthetic(16, 8));
        var entry = new ModelEntry("FC100-100-10", s => new Fc100x100x10(s), TrainingSplit.Full, new SgdRecipe(new SgdOptions { Epochs = 1, BatchSize = 16 }), 0, 0.0164, 0.058, "Table 1");
        var options = new ReproduceOptions { OutputDirectory = _dir, Data = data, Threads = 2 };
        string checkpoints = Path.Combine(_dir, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        string path = Path.Combine(checkpoints, "fc100-100-10.ckpt");
        var old = new Fc100x100x10(9);
        Checkpoint.Save(path, old, new CheckpointState(1, 1, new float[Fc100x100x10.Layout.ParameterBufferLength], "sgd epochs=1 batch=16 ... chunks=2"));
        var (p1, p2) = data.Train.SplitHalves(1, "P1", "P2");

        var log = new StringWriter();
        var (net, result) = ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, log, null, CancellationToken.None);
        Assert.False(result.FromCheckpoint);
        Assert.Contains("moved to fc100-100-10.ckpt.stale", log.ToString());
        Assert.True(File.Exists(path + ".stale"));
        Assert.Equal(Trainer.Describe(net, entry.Sgd with { Seed = 1, Threads = 2 }), Checkpoint.Load(path, new Fc100x100x10()).Settings);
        Assert.False(old.Parameters.SequenceEqual(net.Parameters));

        var (again, reused) = ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, new StringWriter(), null, CancellationToken.None);
        Assert.True(reused.FromCheckpoint);
        Assert.True(again.Parameters.SequenceEqual(net.Parameters));
    }

    [Fact]
    public void Reproduce_names_and_sets_aside_a_corrupt_full_batch_checkpoint()
    {
        var data = new MnistData(Synthetic(48, 7), Synthetic(16, 8));
        var entry = new ModelEntry("FC10(1e-4)", s => new Fc10Lambda1em4(s), TrainingSplit.Full, new FullBatchRecipe(new FullBatchOptions { MaxIterations = 5 }, new SgdOptions()), 0, 0.067, 0.074, "Table 1");
        var options = new ReproduceOptions { OutputDirectory = _dir, Data = data, Threads = 2 };
        string checkpoints = Directory.CreateDirectory(Path.Combine(_dir, "checkpoints")).FullName;
        string path = Path.Combine(checkpoints, Catalog.FileName(entry.Name) + ".ckpt");
        File.WriteAllBytes(path, "INTRCKPT but not a checkpoint"u8.ToArray());
        byte[] corrupt = File.ReadAllBytes(path);
        var (p1, p2) = data.Train.SplitHalves(1, "P1", "P2");

        var log = new StringWriter();
        var (_, result) = ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, log, null, CancellationToken.None);
        Assert.False(result.FromCheckpoint);
        Assert.Contains($"{Path.GetFileName(path)}: {path}: not an Intriguing checkpoint", log.ToString());
        Assert.Contains($"moved to {Path.GetFileName(path)}.stale", log.ToString());
        Assert.Equal(corrupt, File.ReadAllBytes(path + ".stale"));
        Assert.True(ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, new StringWriter(), null, CancellationToken.None).Result.FromCheckpoint);
    }

    [Fact]
    public void Reproduce_checks_every_checkpoint_the_autoencoder_model_depends_on()
    {
        var data = new MnistData(Synthetic(48, 7), Synthetic(16, 8));
        var recipe = new AutoencoderRecipe(new AutoencoderOptions { Epochs = 1, BatchSize = 16 }, new SgdOptions { Epochs = 1, BatchSize = 16 }, new SgdOptions { Epochs = 1, BatchSize = 16 });
        var entry = new ModelEntry("AE400-10", s => new Ae400x10(s), TrainingSplit.Full, recipe, 0, 0.0057, 0.019, "Table 1");
        var options = new ReproduceOptions { OutputDirectory = _dir, Data = data, Threads = 2 };
        string checkpoints = Directory.CreateDirectory(Path.Combine(_dir, "checkpoints")).FullName;
        var (p1, p2) = data.Train.SplitHalves(1, "P1", "P2");
        Assert.False(ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, new StringWriter(), null, CancellationToken.None).Result.FromCheckpoint);

        // The encoder's checkpoint is damaged after the finished network was saved: the finished network is not reused.
        string encoder = Path.Combine(checkpoints, "ae400-encoder.ckpt");
        byte[] bytes = File.ReadAllBytes(encoder);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(encoder, bytes);
        var log = new StringWriter();
        var (_, again) = ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, log, null, CancellationToken.None);
        Assert.False(again.FromCheckpoint);
        Assert.Contains("the encoder checkpoint it was made from is missing, unreadable or of other settings", log.ToString());
        Assert.Contains("ae400-encoder.ckpt: " + encoder + ": checksum mismatch", log.ToString());
        Assert.Equal(bytes, File.ReadAllBytes(encoder + ".stale"));
        Assert.True(File.Exists(Path.Combine(checkpoints, "ae400-classifier.ckpt.stale")));

        Assert.True(ModelTraining.TrainModel(entry, options, p1, p2, checkpoints, new StringWriter(), null, CancellationToken.None).Result.FromCheckpoint);
    }

    [Fact]
    public void Advtrain_keeps_a_run_of_other_settings_beside_the_new_one()
    {
        // The same output folder with another learning rate: the earlier run is moved aside (.stale), not overwritten,
        // and a third call with the second settings reuses the second run.
        var data = new MnistData(Synthetic(64, 9), Synthetic(20, 10));
        var options = new AdvTrainOptions { OutputDirectory = _dir, Data = data, Variants = ["wd"], Seeds = [1], Epochs = 1, RobustnessCount = 2, Threads = 2 };
        AdvTrainResults results = AdversarialTrainingExperiment.Run(options, new StringWriter());
        // The report's settings say that the weight-decay variant trains whole batches in the fused step, not in chunks.
        Assert.Contains("(wd: step=fused", results.Sgd);
        string[] first = Directory.GetFiles(_dir, "wd-seed1.json", SearchOption.AllDirectories);
        Assert.Single(first);
        string firstText = File.ReadAllText(first[0]);

        var log = new StringWriter();
        AdversarialTrainingExperiment.Run(options with { LearningRate = 0.1f }, log);
        Assert.Contains("moved to wd-seed1.json.stale", log.ToString());
        Assert.Equal(firstText, File.ReadAllText(first[0] + ".stale"));
        Assert.True(File.Exists(Path.ChangeExtension(first[0], ".ckpt.stale")));
        string secondText = File.ReadAllText(first[0]);
        Assert.NotEqual(firstText, secondText);

        var again = new StringWriter();
        AdversarialTrainingExperiment.Run(options with { LearningRate = 0.1f }, again);
        Assert.DoesNotContain("moved to", again.ToString());
        Assert.Equal(firstText, File.ReadAllText(first[0] + ".stale"));

        // A second settings change sets the second run aside under the next name: the first one is not destroyed.
        var third = new StringWriter();
        AdversarialTrainingExperiment.Run(options with { LearningRate = 0.2f }, third);
        Assert.Contains("moved to wd-seed1.json.stale.2 and wd-seed1.ckpt.stale.2", third.ToString());
        Assert.Equal(firstText, File.ReadAllText(first[0] + ".stale"));
        Assert.Equal(secondText, File.ReadAllText(first[0] + ".stale.2"));
    }

    [Fact]
    public void Advtrain_variants_derive_from_each_architectures_layers()
    {
        // Expected pools read off the declarations in PaperModels.cs (activation k is the output of the k-th layer).
        var expected = new Dictionary<string, (string Id, int[] Layers, Type Network)[]>
        {
            ["FC100-100-10"] = [("wd", [], typeof(Fc100x100x10)), ("dropout", [], typeof(Fc100x100x10Dropout)), ("input", [0], typeof(Fc100x100x10)), ("layer1", [2], typeof(Fc100x100x10)), ("layer2", [4], typeof(Fc100x100x10)), ("all", [0, 2, 4], typeof(Fc100x100x10)), ("input-dropout", [0], typeof(Fc100x100x10Dropout)), ("all-dropout", [0, 3, 6], typeof(Fc100x100x10Dropout))],
            ["FC200-200-10-ReLU"] = [("wd", [], typeof(Fc200x200x10Relu)), ("dropout", [], typeof(Fc200x200x10ReluDropout)), ("input", [0], typeof(Fc200x200x10Relu)), ("layer1", [2], typeof(Fc200x200x10Relu)), ("layer2", [4], typeof(Fc200x200x10Relu)), ("all", [0, 2, 4], typeof(Fc200x200x10Relu)), ("input-dropout", [0], typeof(Fc200x200x10ReluDropout)), ("all-dropout", [0, 3, 6], typeof(Fc200x200x10ReluDropout))],
            // Conv, ReLU, MaxPool | Conv, ReLU, MaxPool | Dense, ReLU | Dense, Softmax; with dropout after each MaxPool and the dense ReLU.
            ["MNIST-Conv"] = [("wd", [], typeof(MnistConv)), ("dropout", [], typeof(MnistConvDropout)), ("input", [0], typeof(MnistConv)), ("layer1", [3], typeof(MnistConv)), ("layer2", [6], typeof(MnistConv)), ("layer3", [8], typeof(MnistConv)), ("all", [0, 3, 6, 8], typeof(MnistConv)), ("input-dropout", [0], typeof(MnistConvDropout)), ("all-dropout", [0, 3, 7, 10], typeof(MnistConvDropout))],
        };
        Assert.Equal(expected.Keys, AdvTrainModel.All.Select(m => m.Name));
        foreach (AdvTrainModel model in AdvTrainModel.All)
        {
            var variants = model.AllVariants;
            Assert.Equal(expected[model.Name].Select(e => e.Id), variants.Select(v => v.Id));
            for (int i = 0; i < variants.Count; i++)
            {
                Assert.Equal(expected[model.Name][i].Layers, variants[i].Layers);
                Assert.IsType(expected[model.Name][i].Network, variants[i].Create(1));
                Assert.Equal(((char)('a' + i)).ToString(), variants[i].Letter);
            }

            Assert.Same(variants[^1], model.Find("all-dropout"));
            Assert.Equal(model.IsDefault ? "" : "-" + Catalog.FileName(model.Name), model.Suffix);
        }

        // The FC100-100-10 comparison keeps its variants, names and descriptions (its stored runs stay valid).
        Assert.Equal(["wd", "dropout", "input", "layer1", "layer2", "all"], AdversarialTrainingExperiment.Variants.Select(v => v.Id));
        Assert.Equal("hidden layer 2 pool (activation 4)", AdversarialTrainingExperiment.Find("e")!.Description);
        Assert.Equal("pools for every layer (activations 0, 3, 6) with dropout 0.2", AdversarialTrainingExperiment.Find("h")!.Description);
        Assert.Equal("advtrain", AdversarialTrainingExperiment.Stem(new AdvTrainOptions { OutputDirectory = _dir, Data = new MnistData(Synthetic(2, 1), Synthetic(2, 2)) }));
    }

    [Fact]
    public void The_comparison_makes_fc100_pools_with_ddn_and_the_other_architectures_with_lbfgs()
    {
        Assert.Equal(20, AdvTrainModel.Default.Pools.Ddn?.Steps);
        Assert.Equal(20, AdvTrainModel.Default.QuickPools.Ddn?.Steps);
        Assert.Contains("attack=ddn(steps=20 ", AdvTrainModel.Default.Pools.Describe());
        foreach (AdvTrainModel model in AdvTrainModel.All.Where(m => !m.IsDefault))
        {
            Assert.Null(model.Pools.Ddn);
            Assert.Contains("attack(c0=1 growth=10 bracket=4 bisect=3 iter=40 evals=80 m=10)", model.Pools.Describe());
        }
    }

    [Fact]
    public void Advtrain_runs_trained_at_once_equal_runs_trained_one_after_another()
    {
        // Threads = 1 trains the runs one after another; Threads = 3 trains three at once, one thread each, in another
        // order. Every run's numbers and its checkpoint are the same, and the results list the runs by variant, then seed.
        var data = new MnistData(Synthetic(64, 9), Synthetic(20, 10));
        AdvTrainResults Run(string folder, int threads) => AdversarialTrainingExperiment.Run(new AdvTrainOptions
        {
            OutputDirectory = Path.Combine(_dir, folder), Data = data, Variants = ["wd", "input", "layer2", "all"], Seeds = [1, 2], Epochs = 2, BatchSize = 16, RobustnessCount = 4, Threads = threads,
            Pools = AdversarialTrainingExperiment.QuickPools with { PoolSize = 10, RefreshPeriod = 1, SourceCandidates = 2 },
        }, new StringWriter());

        AdvTrainResults one = Run("one", 1), three = Run("three", 3);
        Assert.Equal(one.Runs.Select(r => (r.Variant, r.Seed)), three.Runs.Select(r => (r.Variant, r.Seed)));
        Assert.Equal(["wd", "wd", "input", "input", "layer2", "layer2", "all", "all"], three.Runs.Select(r => r.Variant));
        for (int i = 0; i < one.Runs.Count; i++)
        {
            AdvTrainRun a = one.Runs[i], b = three.Runs[i];
            Assert.Equal((a.TestError, a.TrainError, a.Robustness, a.HiddenRobustness1, a.HiddenRobustness2), (b.TestError, b.TrainError, b.Robustness, b.HiddenRobustness1, b.HiddenRobustness2));
            Assert.Equal(a.Pools.Select(p => (p.Layer, p.Attacked, p.Succeeded, p.MeanDistortion, p.StoredDistortion)), b.Pools.Select(p => (p.Layer, p.Attacked, p.Succeeded, p.MeanDistortion, p.StoredDistortion)));
            string name = $"{a.Variant}-seed{a.Seed}.ckpt";
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "one", "advtrain", name)), File.ReadAllBytes(Path.Combine(_dir, "three", "advtrain", name)));
        }

        Assert.Contains(one.Runs, r => r.Pools.Count > 0 && r.Pools.All(p => p.Succeeded > 0));
    }

    [Fact]
    public void Advtrain_runs_a_second_architecture_with_a_figure_per_hidden_layer()
    {
        var data = new MnistData(Synthetic(64, 9), Synthetic(20, 10));
        var options = new AdvTrainOptions
        {
            OutputDirectory = _dir, Data = data, Model = "FC200-200-10-ReLU", Variants = ["wd", "layer2", "all"], Seeds = [1], Epochs = 2, BatchSize = 16, RobustnessCount = 4, CertifyCount = 2, Threads = 2,
            Pools = AdversarialTrainingExperiment.QuickPools with { PoolSize = 10, RefreshPeriod = 1, SourceCandidates = 1 },
        };
        AdvTrainResults results = AdversarialTrainingExperiment.Run(options, new StringWriter());
        Assert.Equal("FC200-200-10-ReLU", results.Model);
        Assert.Equal([2, 4], results.HiddenLayers);
        Assert.Equal("advtrain-fc200-200-10-relu.png", results.Figure);
        Assert.Equal(["wd", "layer2", "all"], results.Runs.Select(r => r.Variant));
        Assert.Equal([4], results.Runs[1].Pools.Select(p => p.Layer));
        Assert.Equal([0, 2, 4], results.Runs[2].Pools.Select(p => p.Layer));
        Assert.True(results.Runs[2].Pools.All(p => p.Refreshes > 0), string.Join("; ", results.Runs[2].Pools));
        foreach (AdvTrainRun run in results.Runs)
        {
            Assert.True(File.Exists(Path.Combine(_dir, "advtrain-fc200-200-10-relu", $"{run.Variant}-seed1.ckpt")));
            Assert.Equal([2, 4], run.HiddenLayers);
            Assert.Equal(2, run.HiddenRobustness!.Count);
            Assert.Equal(run.HiddenRobustness[0], run.HiddenRobustness1);
            Assert.Equal(run.HiddenRobustness[1], run.HiddenRobustness2);
            Assert.Equal(3, run.Spread!.Count);
            Assert.Equal(2, run.CertifiedCount);
            Assert.True(run.CertifiedRadius >= 0);
        }

        // The input's spread is that of the drawn test examples, computed here directly (two passes, doubles).
        int[] drawn = Enumerable.Range(0, data.Test.Count).ToArray();
        new SeededRandom(0xB0B).Shuffle(drawn.AsSpan());
        drawn = drawn[..4];
        double sum = 0;
        for (int j = 0; j < 784; j++)
        {
            double[] v = drawn.Select(i => (double)data.Test.Sample(i)[j]).ToArray();
            double m = v.Average();
            sum += v.Sum(x => (x - m) * (x - m)) / (v.Length - 1);
        }

        Assert.Equal(Math.Sqrt(sum / 784), results.Runs[0].Spread![0], 1e-6);

        // A run again reuses the stored runs with the same figures; the report has a column per hidden layer.
        AdvTrainResults again = AdversarialTrainingExperiment.Run(options, new StringWriter());
        Assert.All(again.Runs, r => Assert.True(r.FromCheckpoint));
        Assert.Equal(results.Runs.Select(r => (r.TestError, r.Robustness, r.CertifiedRadius)), again.Runs.Select(r => (r.TestError, r.Robustness, r.CertifiedRadius)));
        string section = AdvTrainReport.Section(again);
        Assert.Contains("| hidden 1 | hidden 2 | certified L2 radius |", section);
        Assert.Contains(": FC200-200-10-ReLU", section);
    }

    [Fact]
    public void Files_set_aside_keep_a_bounded_history_and_replace_the_oldest()
    {
        string path = Path.Combine(_dir, "run.json");
        var moved = new List<string>();
        for (int i = 1; i <= RunStore.StaleHistory + 2; i++)
        {
            File.WriteAllText(path, "version " + i);
            string target = RunStore.MoveAside(path)[0];
            File.SetLastWriteTimeUtc(target, new DateTime(2020, 1, 1).AddDays(i)); // the order of setting aside, whatever the clock's resolution
            moved.Add(target);
        }

        Assert.Equal(path + ".stale", moved[0]);
        Assert.Equal(path + ".stale.2", moved[1]);
        Assert.Equal(RunStore.StaleHistory, Directory.GetFiles(_dir, "run.json.stale*").Length);
        // Versions 10 and 11 replaced the two oldest, 1 and 2; versions 3 … 11 remain.
        string[] kept = Directory.GetFiles(_dir, "run.json.stale*").Select(File.ReadAllText).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(3, RunStore.StaleHistory).Select(i => "version " + i).Order(StringComparer.Ordinal), kept);
    }

    [Fact]
    public void Temporary_files_of_interrupted_writes_are_removed_unless_their_process_runs()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "checkpoints"));
        string dead = Path.Combine(_dir, "checkpoints", ".fc100-100-10.ckpt.2147483646.tmp");
        string deadJson = Path.Combine(_dir, "input-seed1.json.2147483645.tmp");
        string alive = Path.Combine(_dir, "report.md." + Environment.ProcessId + ".tmp");
        string other = Path.Combine(_dir, "notes.tmp");
        foreach (string p in new[] { dead, deadJson, alive, other }) File.WriteAllText(p, "x");

        IReadOnlyList<string> removed = RunStore.RemoveInterruptedWrites(_dir);
        Assert.Equal(new[] { dead, deadJson }.Order(StringComparer.Ordinal), removed.Order(StringComparer.Ordinal));
        Assert.False(File.Exists(dead));
        Assert.False(File.Exists(deadJson));
        Assert.True(File.Exists(alive));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void Resuming_with_other_settings_is_refused()
    {
        Dataset data = Synthetic(64, 3);
        string path = Path.Combine(_dir, "s.ckpt");
        Trainer.Fit(new Fc100x100x10(1), data, new SgdOptions { Epochs = 1, BatchSize = 16, CheckpointPath = path });
        var e = Assert.Throws<CheckpointException>(() => Trainer.Fit(new Fc100x100x10(1), data, new SgdOptions { Epochs = 1, BatchSize = 32, CheckpointPath = path }));
        Assert.Contains("other settings", e.Message);
    }

    [Fact]
    public void Bad_training_settings_are_rejected()
    {
        Dataset data = Synthetic(10, 4);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentException>(() => Trainer.Fit(new Fc100x100x10(), data, new SgdOptions { LearningRate = float.NaN })).Message);
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => Trainer.Fit(new Fc100x100x10(), data, new SgdOptions { Momentum = 1 })).Message);
        Assert.Contains("takes 400", Assert.Throws<ArgumentException>(() => Trainer.Fit(new Ae400Classifier(), data, new SgdOptions())).Message);
    }

    [Fact]
    public void Diverging_training_stops_with_a_clear_error()
    {
        Dataset data = Synthetic(64, 5);
        var e = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(new Fc10Lambda1em4(1), data, new SgdOptions { Epochs = 50, BatchSize = 8, LearningRate = 1e6f, Momentum = 0.99f }));
        Assert.Contains("diverged", e.Message);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

/// <summary>Finds the MNIST files for tests: INTRIGUING_DATA, or ../shared/data/mnist beside the repository.</summary>
internal static class TestData
{
    public static string MnistDirectory([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        string? env = Environment.GetEnvironmentVariable(Mnist.DataVariable);
        if (Mnist.HasFiles(env)) return env!;
        string shared = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "shared", "data", "mnist"));
        if (Mnist.HasFiles(shared)) return shared;
        throw new DirectoryNotFoundException($"These tests need the MNIST files: set {Mnist.DataVariable} or put them in {shared}.");
    }
}
