using Intriguing.Training;

namespace Intriguing.Runtime.Tests.Training;

public sealed class DenseStepsTests
{
    /// <summary>Layer shapes (rows × columns, top layer first), whether each has a bias, and each one's weight decay.</summary>
    public static TheoryData<int[], bool, int> Cases() => new()
    {
        // Upper layers far smaller than the lowest: the caller takes some of its rows.
        { [10, 200, 200, 200, 200, 784], false, 2 },
        { [10, 200, 200, 200, 200, 784], true, 3 },
        { [10, 200, 200, 200, 200, 784], false, 0 },
        // Upper layer larger than a thread's share: the caller takes no row of the lowest layer.
        { [200, 200, 16, 64], true, 2 },
        // One layer; a lowest layer whose input is not a multiple of the vector width (no fused look-ahead).
        { [100, 784], false, 2 },
        { [40, 30, 300, 333], false, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_each_layer_stepped_alone_bit_for_bit(int[] shapes, bool nesterov, int threads)
    {
        // Reference: DenseStep on each layer, top layer first, on one thread (and the same next-sample product).
        int layers = shapes.Length / 2;
        var random = new SeededRandom(11);
        var offsets = new (int Weights, int Bias)[layers];
        int length = 0;
        for (int l = 0; l < layers; l++)
        {
            offsets[l] = (length, l == 1 ? -1 : length + (shapes[2 * l] * shapes[(2 * l) + 1])); // layer 1 has no bias
            length += (shapes[2 * l] * shapes[(2 * l) + 1]) + (offsets[l].Bias < 0 ? 0 : shapes[2 * l]);
        }

        float[] Random(int n, float scale)
        {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = random.NextSingle() < 0.2f ? 0f : (random.NextSingle() - 0.4f) * scale;
            return a;
        }

        float[] parameters = Random(length, 0.1f), velocity = Random(length, 0.01f);
        float[] refParameters = (float[])parameters.Clone(), refVelocity = (float[])velocity.Clone();
        var deltas = new float[layers][];
        var inputs = new float[layers][];
        var plan = new DenseStepPlan();
        for (int l = 0; l < layers; l++)
        {
            deltas[l] = Random(shapes[2 * l], 1f);
            inputs[l] = Random(shapes[(2 * l) + 1], 1f);
            plan.Add(offsets[l].Weights, offsets[l].Bias, shapes[2 * l], shapes[(2 * l) + 1], l == 0 ? 0f : 1e-3f * l, deltas[l], inputs[l]);
        }

        int rows = shapes[^2], columns = shapes[^1];
        using var pool = threads > 0 ? new WorkerPool(threads) : null;
        FusedStepSplitter? splitter = pool is null ? null : new FusedStepSplitter(pool);
        for (int step = 0; step < 3; step++)
        {
            float[] next = Random(columns, 1f), output = new float[rows], refOutput = new float[rows];
            float penalty = SgdKernels.DenseSteps(plan, parameters, velocity, 0.9f, 0.05f, nesterov, splitter, next, output);
            float refPenalty = 0f;
            for (int l = 0; l < layers; l++)
            {
                int r = shapes[2 * l], c = shapes[(2 * l) + 1];
                bool lowest = l == layers - 1;
                refPenalty += SgdKernels.DenseStep(refParameters.AsSpan(offsets[l].Weights, r * c), offsets[l].Bias < 0 ? default : refParameters.AsSpan(offsets[l].Bias, r),
                    refVelocity.AsSpan(offsets[l].Weights, r * c), offsets[l].Bias < 0 ? default : refVelocity.AsSpan(offsets[l].Bias, r), deltas[l], inputs[l],
                    l == 0 ? 0f : 1e-3f * l, 0.9f, 0.05f, nesterov, null, lowest ? next : default, lowest ? refOutput : default);
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(refPenalty), BitConverter.SingleToInt32Bits(penalty));
            for (int i = 0; i < length; i++)
            {
                if (BitConverter.SingleToInt32Bits(parameters[i]) != BitConverter.SingleToInt32Bits(refParameters[i])) Assert.Fail($"step {step}: parameter {i} is {parameters[i]:R}, alone {refParameters[i]:R}");
                if (BitConverter.SingleToInt32Bits(velocity[i]) != BitConverter.SingleToInt32Bits(refVelocity[i])) Assert.Fail($"step {step}: velocity {i} is {velocity[i]:R}, alone {refVelocity[i]:R}");
            }

            for (int i = 0; i < rows; i++) Assert.Equal(BitConverter.SingleToInt32Bits(refOutput[i]), BitConverter.SingleToInt32Bits(output[i]));

            // The next step's inputs and deltas change in place, as a workspace's do.
            for (int l = 0; l < layers; l++)
            {
                Random(deltas[l].Length, 1f).CopyTo(deltas[l], 0);
                Random(inputs[l].Length, 1f).CopyTo(inputs[l], 0);
            }
        }
    }

    [Fact]
    public void The_step_is_checked_against_the_plan()
    {
        var plan = new DenseStepPlan();
        Assert.Throws<ArgumentException>(() => SgdKernels.DenseSteps(plan, new float[10], new float[10], 0.9f, 0.1f, false));
        Assert.Throws<ArgumentException>(() => plan.Add(0, -1, 4, 3, 0f, new float[3], new float[3])); // δ shorter than the rows
        Assert.Throws<ArgumentException>(() => plan.Add(0, -1, 4, 3, 0f, new float[4], new float[2])); // x shorter than the columns
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Add(0, -2, 4, 3, 0f, new float[4], new float[3]));
        plan.Add(0, 12, 4, 3, 0f, new float[4], new float[3]);
        Assert.Throws<ArgumentException>(() => SgdKernels.DenseSteps(plan, new float[15], new float[16], 0.9f, 0.1f, false)); // parameters end at 16
        Assert.Throws<ArgumentException>(() => SgdKernels.DenseSteps(plan, new float[16], new float[16], 0.9f, 0.1f, false, null, new float[2], new float[4])); // next input of the wrong length
    }
}
