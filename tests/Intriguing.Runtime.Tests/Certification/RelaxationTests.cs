using Intriguing.Layers;

namespace Intriguing.Runtime.Tests.Certification;

/// <summary>
/// The activations' linear relaxations, plain and re-touched at a point: every line is a valid bound of the function over
/// the whole interval (checked on a fine grid in double precision), and a re-touched tangent touches the function at the
/// point where it is allowed to.
/// </summary>
public class RelaxationTests
{
    private static double F(string kind, double z) => kind switch
    {
        "sigmoid" => 1 / (1 + Math.Exp(-z)),
        "tanh" => Math.Tanh(z),
        _ => Math.Max(0, z),
    };

    private static void Relax(string kind, float[] lo, float[] hi, float[]? touch, float[] relaxation)
    {
        switch (kind, touch is null)
        {
            case ("sigmoid", true): Activation.SigmoidRelax(lo, hi, relaxation); break;
            case ("sigmoid", false): Activation.SigmoidRetouch(lo, hi, touch, relaxation); break;
            case ("tanh", true): Activation.TanhRelax(lo, hi, relaxation); break;
            case ("tanh", false): Activation.TanhRetouch(lo, hi, touch, relaxation); break;
            case (_, true): Activation.ReLURelax(lo, hi, relaxation); break;
            default: Activation.ReLURetouch(lo, hi, touch, relaxation); break;
        }
    }

    /// <summary>Intervals on either side of 0, across it (narrow and wide, lopsided), and tiny ones; touch points inside, at the ends and outside.</summary>
    private static (float[] Lo, float[] Hi, float[] Touch) Cases(int seed)
    {
        var random = new Random(seed);
        var lo = new List<float>();
        var hi = new List<float>();
        var touch = new List<float>();
        for (int i = 0; i < 400; i++)
        {
            double a = (random.NextDouble() - 0.5) * 16, width = i % 10 == 0 ? random.NextDouble() * 1e-6 : random.NextDouble() * (i % 3 == 0 ? 12 : 2);
            double l = i % 4 == 0 ? -random.NextDouble() * 6 : a, u = i % 4 == 0 ? random.NextDouble() * 6 : a + width;
            lo.Add((float)l);
            hi.Add((float)Math.Max(u, l));
            touch.Add((float)(l + ((random.NextDouble() * 1.4) - 0.2) * (Math.Max(u, l) - l)));
        }

        return (lo.ToArray(), hi.ToArray(), touch.ToArray());
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    public void Plain_and_retouched_lines_bound_the_function_over_the_whole_interval(string kind)
    {
        (float[] lo, float[] hi, float[] touch) = Cases(kind.Length);
        int n = lo.Length;
        foreach (float[]? at in new[] { null, touch })
        {
            var relaxation = new float[4 * n];
            Relax(kind, lo, hi, at, relaxation);
            for (int i = 0; i < n; i++)
            {
                double a = relaxation[i], b = relaxation[n + i], c = relaxation[2 * n + i], d = relaxation[3 * n + i];
                for (int g = 0; g <= 400; g++)
                {
                    double z = lo[i] + ((double)hi[i] - lo[i]) * g / 400, f = F(kind, z);
                    Assert.True(a * z + b <= f + 1e-6, $"{kind} [{lo[i]}, {hi[i]}] touch {(at is null ? "none" : at[i])}: lower line {a * z + b} above f({z}) = {f}");
                    Assert.True(c * z + d >= f - 1e-6, $"{kind} [{lo[i]}, {hi[i]}] touch {(at is null ? "none" : at[i])}: upper line {c * z + d} below f({z}) = {f}");
                }
            }
        }
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    public void A_retouched_tangent_touches_where_the_point_allows_it(string kind)
    {
        // One side of 0: the tangent side touches at the point clipped to [l, u].
        float[] lo = [-6f, -3f, 0.5f, 1f], hi = [-1f, -0.5f, 4f, 2f], touch = [-2f, 5f, 3f, -4f];
        float[] clipped = [-2f, -0.5f, 3f, 1f];
        var relaxation = new float[16];
        Relax(kind, lo, hi, touch, relaxation);
        for (int i = 0; i < 4; i++)
        {
            bool convex = hi[i] <= 0;
            double slope = relaxation[(convex ? 0 : 2) * 4 + i], intercept = relaxation[(convex ? 1 : 3) * 4 + i];
            Assert.Equal(F(kind, clipped[i]), slope * clipped[i] + intercept, 5);
        }

        // Across 0 with a point inside the valid range of the lower tangent ([l, d_L], d_L < 0): the lower line touches there.
        lo = [-8f];
        hi = [1f];
        touch = [-5f];
        relaxation = new float[4];
        Relax(kind, lo, hi, touch, relaxation);
        Assert.Equal(F(kind, -5), relaxation[0] * -5 + relaxation[1], 5);
    }

    [Fact]
    public void A_retouched_ReLU_takes_the_slope_of_the_side_the_point_is_on()
    {
        float[] lo = [-1f, -1f, -3f, 1f], hi = [3f, 3f, 1f, 2f], touch = [0.5f, -0.5f, 0.5f, -5f];
        var relaxation = new float[16];
        Activation.ReLURetouch(lo, hi, touch, relaxation);
        Assert.Equal([1f, 0f, 1f, 1f], relaxation[..4]);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    public void Lines_at_any_optimised_parameters_bound_the_function_and_the_ranges_reach_the_far_end_points(string kind)
    {
        (float[] lo, float[] hi, _) = Cases(kind.Length + 7);
        int n = lo.Length, rows = 3;
        var function = kind switch { "sigmoid" => Generated.SlopeFunction.Sigmoid, "tanh" => Generated.SlopeFunction.Tanh, _ => Generated.SlopeFunction.ReLU };
        var ranges = new float[4 * n];
        var plain = new float[4 * n];
        Relax(kind, lo, hi, null, plain);
        Generated.SlopeKernels.Ranges(function, lo, hi, ranges);
        // Row 0 at the start of every range, row 1 at the end, row 2 anywhere.
        var random = new Random(3);
        var parameters = new float[rows * 2 * n];
        for (int i = 0; i < 2 * n; i++)
        {
            parameters[2 * n + i] = 1;
            parameters[4 * n + i] = (float)random.NextDouble();
        }

        var lines = new float[rows * 4 * n];
        Generated.SlopeKernels.Lines(function, lo, hi, ranges, parameters, plain, lines, rows);
        int free = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < n; i++)
            {
                double a = lines[4 * n * r + i], b = lines[4 * n * r + n + i], c = lines[4 * n * r + 2 * n + i], d = lines[4 * n * r + 3 * n + i];
                for (int g = 0; g <= 400; g++)
                {
                    double z = lo[i] + ((double)hi[i] - lo[i]) * g / 400, f = F(kind, z);
                    Assert.True(a * z + b <= f + 1e-6, $"{kind} [{lo[i]}, {hi[i]}] row {r}: lower line {a * z + b} above f({z}) = {f}");
                    Assert.True(c * z + d >= f - 1e-6, $"{kind} [{lo[i]}, {hi[i]}] row {r}: upper line {c * z + d} below f({z}) = {f}");
                }

                if (kind == "relu" || r == 2 || !(lo[i] < 0 && hi[i] > 0)) continue;
                // Across 0 the ranges end where the tangent passes through the far end point: the lower tangent at d_L
                // (row 1) meets f at u, the upper at d_U (row 0) meets f at l.
                if (r == 1 && !float.IsNaN(ranges[i]))
                {
                    Assert.True(Math.Abs(F(kind, hi[i]) - (a * hi[i] + b)) <= 1e-4, $"{kind} [{lo[i]}, {hi[i]}]: the lower tangent at d_L is {a * hi[i] + b} at u, f(u) = {F(kind, hi[i])}");
                    free++;
                }

                if (r == 0 && !float.IsNaN(ranges[2 * n + i]))
                {
                    Assert.True(Math.Abs(F(kind, lo[i]) - (c * lo[i] + d)) <= 1e-4, $"{kind} [{lo[i]}, {hi[i]}]: the upper tangent at d_U is {c * lo[i] + d} at l, f(l) = {F(kind, lo[i])}");
                    free++;
                }
            }
        }

        if (kind != "relu") Assert.True(free > 20, $"only {free} tangents through a far end point were checked");
    }
}
