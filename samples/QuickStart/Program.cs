// Quick start: declare a network, train it on MNIST, attack one test image.
// Run: dotnet run -c Release --project samples/QuickStart -- [MNIST_DIR]
using Intriguing;
using Intriguing.Adversarial;
using Intriguing.Data;
using Intriguing.Training;

MnistData mnist = Mnist.Load(Mnist.Locate(args.Length > 0 ? args[0] : null));

var net = new Mlp(seed: 1);
Console.WriteLine(net.Summary);                                   // computed at compile time by the generator

Trainer.Fit(net, mnist.Train, new SgdOptions { Epochs = 5, BatchSize = 64, LearningRate = 0.2f });
Console.WriteLine($"test error: {Evaluation.ErrorRate(net, mnist.Test):P2}");

var attack = new LbfgsAttack(net);
ReadOnlySpan<float> image = mnist.Test.Sample(0);
int label = mnist.Test.Labels[0];
AttackResult r = attack.Targeted(image, label, target: (label + 1) % 10);
Console.WriteLine($"adversarial example: {label} → {r.Predicted}, RMS distortion {r.Distortion:F4}, {r.Evaluations} evaluations");

/// <summary>A small sigmoid network: 784 → 128 → 10.</summary>
[Network]
[Input(784)]
[Dense(128, WeightDecay = 1e-5), Sigmoid]
[Dense(10, WeightDecay = 1e-6), Softmax]
public partial class Mlp;
