using Intriguing.Linear;
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

    /// <summary>Rows × columns of one layer: odd and even row counts, rows of whole vectors and rows with a remainder.</summary>
    public static TheoryData<int, int, bool, bool> KernelCases() => new()
    {
        { 1, 784, true, false }, { 2, 784, false, true }, { 7, 784, true, true }, { 200, 784, true, false },
        { 5, 200, true, false }, { 6, 200, false, false }, { 3, 33, true, true }, { 4, 16, true, false }, { 9, 1, false, true }, { 2, 7, true, false },
    };

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void Single_layer_step_matches_a_scalar_reference_bit_for_bit(int rows, int columns, bool decay, bool nesterov)
    {
        // Reference: each parameter by the formula, one float operation at a time (C# never fuses float operations),
        // and the next sample's product by the matrix kernels, as the forward pass forms it.
        var random = new SeededRandom(21);
        float[] Random(int n, float scale)
        {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = random.NextSingle() < 0.15f ? 0f : (random.NextSingle() - 0.45f) * scale;
            return a;
        }

        float lambda = decay ? 1e-2f : 0f, momentum = 0.9f, rate = 0.05f;
        float[] w = Random(rows * columns, 0.2f), v = Random(rows * columns, 0.02f), b = Random(rows, 0.1f), bv = Random(rows, 0.01f);
        float[] d = Random(rows, 1f), x = Random(columns, 1f), next = Random(columns, 1f);
        float[] rw = (float[])w.Clone(), rv = (float[])v.Clone(), rb = (float[])b.Clone(), rbv = (float[])bv.Clone();
        double squares = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < columns; k++)
            {
                int e = (i * columns) + k;
                float wk = rw[e];
                squares += (double)wk * wk;
                float g = (d[i] * x[k]) + 0f;
                if (decay) g = (wk * lambda) + g;
                float step = rate * g;
                float nv = (momentum * rv[e]) - step;
                rv[e] = nv;
                rw[e] = wk + (nesterov ? (momentum * nv) - step : nv);
            }

            float bstep = rate * (0f + d[i]);
            float nbv = (momentum * rbv[i]) - bstep;
            rbv[i] = nbv;
            rb[i] += nesterov ? (momentum * nbv) - bstep : nbv;
        }

        float[] refNext = new float[rows];
        Gemm.MultiplyABt(next, rw, refNext, 1, rows, columns);
        Intriguing.Layers.Dense.AddBias(refNext, rb, 1);

        float[] output = new float[rows];
        float penalty = SgdKernels.DenseStep(w, b, v, bv, d, x, lambda, momentum, rate, nesterov, null, next, output);
        for (int e = 0; e < w.Length; e++)
        {
            if (BitConverter.SingleToInt32Bits(w[e]) != BitConverter.SingleToInt32Bits(rw[e])) Assert.Fail($"weight {e} is {w[e]:R}, reference {rw[e]:R}");
            if (BitConverter.SingleToInt32Bits(v[e]) != BitConverter.SingleToInt32Bits(rv[e])) Assert.Fail($"velocity {e} is {v[e]:R}, reference {rv[e]:R}");
        }

        Assert.Equal(rb, b);
        Assert.Equal(rbv, bv);
        for (int i = 0; i < rows; i++) Assert.Equal(BitConverter.SingleToInt32Bits(refNext[i]), BitConverter.SingleToInt32Bits(output[i]));
        Assert.Equal(decay ? 0.5 * lambda * squares : 0, penalty, decay ? 1e-5 * Math.Max(1, 0.5 * lambda * squares) : 0);
    }

    /// <summary>The activation between the two lowest layers (None: none), the threads, Nesterov.</summary>
    public static TheoryData<string, int, bool> DerivedCases() => new()
    {
        { nameof(FusedActivation.Sigmoid), 0, false }, { nameof(FusedActivation.Sigmoid), 2, false }, { nameof(FusedActivation.Sigmoid), 3, true },
        { nameof(FusedActivation.Tanh), 2, true }, { nameof(FusedActivation.ReLU), 2, false }, { nameof(FusedActivation.None), 2, false }, { nameof(FusedActivation.None), 0, true },
    };

    [Theory]
    [MemberData(nameof(DerivedCases))]
    public void A_derived_delta_matches_the_input_gradient_then_each_layer_stepped_alone(string activationName, int threads, bool nesterov)
    {
        FusedActivation activation = Enum.Parse<FusedActivation>(activationName);
        // Layers top first: 10 × 200, 200 × 200, 200 × 784 (FC200-200-10). Reference: dX = δ₂·W₂ by the matrix kernels, the
        // activation's backward function, then DenseStep on each layer with the weights before the step.
        int[] shapes = [10, 200, 200, 200, 200, 784];
        var random = new SeededRandom(5);
        float[] Random(int n, float scale, float low = -0.45f)
        {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = random.NextSingle() < 0.1f ? 0f : (random.NextSingle() + low) * scale;
            return a;
        }

        int[] offsets = [0, 2010, 42210];
        int length = 42210 + 157000;
        float[] parameters = Random(length, 0.1f), velocity = Random(length, 0.01f);
        float[] refParameters = (float[])parameters.Clone(), refVelocity = (float[])velocity.Clone();
        float[] d0 = Random(10, 1f), x0 = Random(200, 1f, 0f), d1 = Random(200, 1f), x1 = Random(200, 1f, 0f), x2 = Random(784, 1f, 0f);
        float[] lowestDelta = new float[200], dx = new float[200];
        float[] y = activation == FusedActivation.ReLU ? Random(200, 1f) : activation == FusedActivation.Tanh ? Random(200, 1.8f, -0.5f) : Random(200, 1f, 0f);
        var plan = new DenseStepPlan()
            .Add(offsets[0], offsets[0] + 2000, 10, 200, 1e-4f, d0, x0)
            .Add(offsets[1], offsets[1] + 40000, 200, 200, 1e-3f, d1, x1)
            .Add(offsets[2], offsets[2] + 156800, 200, 784, 1e-3f, activation == FusedActivation.None ? dx : lowestDelta, x2);
        if (activation == FusedActivation.None) plan.DeriveLowestDelta(FusedActivation.None);
        else plan.DeriveLowestDelta(activation, dx, y);

        // The steps run back to back (so the helpers are spinning and start on their rows while δ is being formed), each
        // step's results recorded; the reference then replays the same inputs.
        const int Steps = 200;
        var stepInputs = new (float[] D0, float[] D1, float[] X2, float[] Next)[Steps];
        for (int step = 0; step < Steps; step++) stepInputs[step] = (Random(10, 1f), Random(200, 1f), Random(784, 1f, 0f), Random(784, 1f, 0f));
        var outputs = new float[Steps][];
        var dxs = new float[Steps][];
        var deltas = new float[Steps][];
        var penalties = new float[Steps];
        using var pool = threads > 0 ? new WorkerPool(threads) : null;
        FusedStepSplitter? splitter = pool is null ? null : new FusedStepSplitter(pool);
        using (pool?.BindThreads())
        {
            for (int step = 0; step < Steps; step++)
            {
                stepInputs[step].D0.CopyTo(d0, 0);
                stepInputs[step].D1.CopyTo(d1, 0);
                stepInputs[step].X2.CopyTo(x2, 0);
                outputs[step] = new float[200];
                penalties[step] = SgdKernels.DenseSteps(plan, parameters, velocity, 0.9f, 0.05f, nesterov, splitter, stepInputs[step].Next, outputs[step]);
                dxs[step] = (float[])dx.Clone();
                deltas[step] = (float[])lowestDelta.Clone();

                // Now and then, the plan's forward product of the lowest layer, split as the step splits it, against the plain one.
                if (step % 50 == 0)
                {
                    float[] forward = new float[200], plain = new float[200];
                    SgdKernels.DenseForward(plan, parameters, forward, splitter);
                    SgdKernels.DenseForward(x2, parameters.AsSpan(offsets[2], 156800), parameters.AsSpan(offsets[2] + 156800, 200), plain);
                    Assert.Equal(plain, forward);
                }
            }
        }

        for (int step = 0; step < Steps; step++)
        {
            float[] refDx = new float[200], refDelta = new float[200];
            Gemm.MultiplyAB(stepInputs[step].D1, refParameters.AsSpan(offsets[1], 40000), refDx, 1, 200, 200);
            switch (activation)
            {
                case FusedActivation.Sigmoid: Intriguing.Layers.Activation.SigmoidBackward(y, refDx, refDelta); break;
                case FusedActivation.Tanh: Intriguing.Layers.Activation.TanhBackward(y, refDx, refDelta); break;
                case FusedActivation.ReLU: Intriguing.Layers.Activation.ReLUBackward(y, refDx, refDelta); break;
                default: refDx.CopyTo(refDelta, 0); break;
            }

            Assert.Equal(refDx, dxs[step]);
            if (activation != FusedActivation.None) Assert.Equal(refDelta, deltas[step]);
            float[] refOutput = new float[200];
            float refPenalty = 0f;
            float[][] stepDeltas = [stepInputs[step].D0, stepInputs[step].D1, refDelta], inputs = [x0, x1, stepInputs[step].X2];
            for (int l = 0; l < 3; l++)
            {
                int r = shapes[2 * l], c = shapes[(2 * l) + 1], o = offsets[l];
                refPenalty += SgdKernels.DenseStep(refParameters.AsSpan(o, r * c), refParameters.AsSpan(o + (r * c), r), refVelocity.AsSpan(o, r * c), refVelocity.AsSpan(o + (r * c), r),
                    stepDeltas[l], inputs[l], l == 0 ? 1e-4f : 1e-3f, 0.9f, 0.05f, nesterov, null, l == 2 ? stepInputs[step].Next : default, l == 2 ? refOutput : default);
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(refPenalty), BitConverter.SingleToInt32Bits(penalties[step]));
            for (int i = 0; i < 200; i++) Assert.Equal(BitConverter.SingleToInt32Bits(refOutput[i]), BitConverter.SingleToInt32Bits(outputs[step][i]));
        }

        for (int i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(parameters[i]) != BitConverter.SingleToInt32Bits(refParameters[i])) Assert.Fail($"parameter {i} is {parameters[i]:R}, reference {refParameters[i]:R}");
            if (BitConverter.SingleToInt32Bits(velocity[i]) != BitConverter.SingleToInt32Bits(refVelocity[i])) Assert.Fail($"velocity {i} is {velocity[i]:R}, reference {refVelocity[i]:R}");
        }
    }

    [Fact]
    public void Deriving_the_lowest_delta_is_checked()
    {
        Assert.Throws<InvalidOperationException>(() => new DenseStepPlan().Add(0, -1, 4, 3, 0f, new float[4], new float[3]).DeriveLowestDelta(FusedActivation.None)); // no layer above
        var plan = new DenseStepPlan().Add(0, -1, 2, 4, 0f, new float[2], new float[4]);
        Assert.Throws<InvalidOperationException>(() => new DenseStepPlan().Add(0, -1, 2, 5, 0f, new float[2], new float[5]).Add(10, -1, 4, 3, 0f, new float[4], new float[3]).DeriveLowestDelta(FusedActivation.None)); // 5 inputs above, 4 outputs below
        plan.Add(8, -1, 4, 3, 0f, new float[4], new float[3]);
        Assert.Throws<ArgumentException>(() => plan.DeriveLowestDelta(FusedActivation.None, new float[4], null)); // buffers without an activation
        Assert.Throws<ArgumentNullException>(() => plan.DeriveLowestDelta(FusedActivation.Sigmoid, new float[4], null));
        Assert.Throws<ArgumentException>(() => plan.DeriveLowestDelta(FusedActivation.Sigmoid, new float[3], new float[4])); // dX shorter than the outputs
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.DeriveLowestDelta((FusedActivation)9, new float[4], new float[4]));
        plan.DeriveLowestDelta(FusedActivation.Tanh, new float[4], new float[4]);
        Assert.Throws<InvalidOperationException>(() => plan.DeriveLowestDelta(FusedActivation.Tanh, new float[4], new float[4]));
        Assert.Throws<InvalidOperationException>(() => plan.Add(40, -1, 1, 4, 0f, new float[1], new float[4])); // a layer after the derivation
    }
}
