using System.Reflection;
using Intriguing.Certification;

namespace Intriguing.Networks.Tests;

/// <summary>
/// Optimised relaxation slopes (α-CROWN): the gradient of every margin row's and intermediate row's bound with respect
/// to its parameters against central differences of the bound itself, on networks with sigmoid, tanh and ReLU layers,
/// dense and convolution layers, max pooling and dropout; certified radii that do not depend on the thread count.
/// </summary>
public class SlopeTests
{
    private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;

    public static TheoryData<string> Networks => new()
    {
        nameof(SigmoidNet), nameof(TanhReluNet), nameof(DeepImageNet), nameof(DropoutNet), nameof(ConvZeroNet), nameof(PoolNet), nameof(WindowStrideNet),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_gradient_of_each_margin_bound_matches_central_differences(string name)
    {
        ICertifiable net = CertificationTests.Make(name, 17);
        int n = net.InputLength, rows = net.OutputLength - 1;
        var random = new SeededRandom(4);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        MethodInfo start = net.GetType().GetMethod("StartSlopes", Internal)!;
        MethodInfo pass = net.GetType().GetMethod("SlopePass", Internal)!;
        // The activations with optimised parameters: bw._slopes{k} and bw._slopeGradient{k}.
        int[] layers = Enumerable.Range(1, net.LayerCount).Where(k => bw.GetType().GetField("_slopes" + k, Internal) != null).ToArray();
        Assert.NotEmpty(layers);
        int compared = 0, nonzero = 0, kinks = 0;
        for (int trial = 0; trial < 2; trial++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            int label = CertificationTests.Predict(net, ws, x);
            foreach ((PerturbationNorm norm, double size) in new[] { (PerturbationNorm.L2, 0.05), (PerturbationNorm.LInfinity, 0.05), (PerturbationNorm.L2, 0.15), (PerturbationNorm.LInfinity, 0.15) })
            {
                double epsilon = norm == PerturbationNorm.L2 ? size * Math.Sqrt(n) : size;
                bw.MarginRefinements = 0;
                bw.SlopeSteps = 0;
                net.PropagateBounds(bw, x, new InputRegion(norm, epsilon));
                net.MarginLowerBound(bw, label);
                start.Invoke(net, [bw]);
                // Parameters anywhere inside their ranges (the relaxed network's pre-activations then differ from the tangent points).
                foreach (int k in layers)
                {
                    float[] p = Slopes(bw, k);
                    for (int i = 0; i < p.Length; i++) p[i] = (float)(0.1 + (0.8 * random.NextDouble()));
                }

                double Bound(int row)
                {
                    pass.Invoke(net, [bw, label, false]);
                    return bw.RowBounds(rows)[row];
                }

                pass.Invoke(net, [bw, label, true]);
                double[] at = bw.RowBounds(rows).ToArray();
                foreach (int k in layers)
                {
                    float[] p = Slopes(bw, k), g = ((float[])bw.GetType().GetField("_slopeGradient" + k, Internal)!.GetValue(bw)!).ToArray();
                    int perRow = ((float[])bw.GetType().GetField("_ranges" + k, Internal)!.GetValue(bw)!).Length / 2, used = rows * perRow;
                    for (int i = 0; i < used; i += 1 + (used / 150))
                    {
                        int row = i / perRow;
                        const float h = 0.003f;
                        float saved = p[i];
                        p[i] = saved + h;
                        double up = Bound(row);
                        p[i] = saved - h;
                        double down = Bound(row);
                        p[i] = saved;
                        double forward = (up - at[row]) / h, backward = (at[row] - down) / h, central = (up - down) / (2 * h);
                        double scale = 1e-3 * (1 + Math.Abs(at[row]));
                        if (Math.Abs(forward - backward) > 0.05 * Math.Max(Math.Abs(forward), Math.Abs(backward)) + scale)
                        {
                            // A kink within ±h (a row entry changes sign, a coordinate meets the box): no derivative to compare.
                            kinks++;
                            continue;
                        }

                        Assert.True(Math.Abs(g[i] - central) <= (0.02 * Math.Abs(central)) + scale, $"{name} {norm} layer {k} parameter {i} (row {row}): gradient {g[i]} vs central difference {central}");
                        compared++;
                        if (g[i] != 0) nonzero++;
                    }
                }
            }
        }

        Assert.True(nonzero > 10, $"{name}: only {nonzero} nonzero derivatives compared");
        Assert.True(kinks < compared / 5, $"{name}: {kinks} kinks for {compared} compared");
    }

    [Theory]
    [InlineData(nameof(DeepImageNet))]
    [InlineData(nameof(DropoutNet))]
    [InlineData(nameof(TanhReluNet))]
    public void The_gradient_of_each_intermediate_bound_matches_central_differences(string name)
    {
        ICertifiable net = CertificationTests.Make(name, 19);
        int n = net.InputLength;
        var random = new SeededRandom(6);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        // The layers whose rows [I; −I] get optimised slopes: OptimizeBounds{k} starts them, BoundsSlopePass{k} is one pass.
        int[] refined = Enumerable.Range(1, net.LayerCount).Where(k => net.GetType().GetMethod("BoundsSlopePass" + k, Internal) != null).ToArray();
        Assert.NotEmpty(refined);
        int compared = 0, nonzero = 0, kinks = 0;
        float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        foreach ((PerturbationNorm norm, double size) in new[] { (PerturbationNorm.L2, 0.1), (PerturbationNorm.LInfinity, 0.1) })
        {
            foreach (int k in refined)
            {
                int rows = Math.Min(bw.RowChunk, 2 * bw.Lower(k).Length);
                bw.SlopeSteps = 0;
                net.PropagateBounds(bw, x, new InputRegion(norm, norm == PerturbationNorm.L2 ? size * Math.Sqrt(n) : size));
                // The bounds below k stay as they are: a pass of layer k's rows reads only them.
                net.GetType().GetMethod("OptimizeBounds" + k, Internal)!.Invoke(net, [bw, 0, rows]);
                MethodInfo pass = net.GetType().GetMethod("BoundsSlopePass" + k, Internal)!;
                int[] layers = Enumerable.Range(1, k - 1).Where(j => bw.GetType().GetField("_slopes" + j, Internal) != null).ToArray();
                foreach (int j in layers)
                {
                    float[] p = Slopes(bw, j);
                    for (int i = 0; i < p.Length; i++) p[i] = (float)(0.1 + (0.8 * random.NextDouble()));
                }

                double Bound(int row)
                {
                    pass.Invoke(net, [bw, 0, rows, false]);
                    return bw.RowBounds(rows)[row];
                }

                pass.Invoke(net, [bw, 0, rows, true]);
                double[] at = bw.RowBounds(rows).ToArray();
                foreach (int j in layers)
                {
                    float[] p = Slopes(bw, j), g = ((float[])bw.GetType().GetField("_slopeGradient" + j, Internal)!.GetValue(bw)!).ToArray();
                    int perRow = ((float[])bw.GetType().GetField("_ranges" + j, Internal)!.GetValue(bw)!).Length / 2, used = rows * perRow;
                    for (int i = 0; i < used; i += 1 + (used / 150))
                    {
                        int row = i / perRow;
                        const float h = 0.003f;
                        float saved = p[i];
                        p[i] = saved + h;
                        double up = Bound(row);
                        p[i] = saved - h;
                        double down = Bound(row);
                        p[i] = saved;
                        double forward = (up - at[row]) / h, backward = (at[row] - down) / h, central = (up - down) / (2 * h);
                        double scale = 1e-3 * (1 + Math.Abs(at[row]));
                        if (Math.Abs(forward - backward) > 0.05 * Math.Max(Math.Abs(forward), Math.Abs(backward)) + scale)
                        {
                            kinks++;
                            continue;
                        }

                        Assert.True(Math.Abs(g[i] - central) <= (0.02 * Math.Abs(central)) + scale, $"{name} {norm} bounds of {k}, layer {j} parameter {i} (row {row}): gradient {g[i]} vs central difference {central}");
                        compared++;
                        if (g[i] != 0) nonzero++;
                    }
                }
            }
        }

        Assert.True(nonzero > 10, $"{name}: only {nonzero} nonzero derivatives compared");
        Assert.True(kinks < compared / 5, $"{name}: {kinks} kinks for {compared} compared");
    }

    [Theory]
    [InlineData(nameof(SigmoidNet))]
    [InlineData(nameof(ConvZeroNet))]
    public void The_minimiser_lies_in_the_region_and_attains_each_margin_row_bound(string name)
    {
        // The gradient rests on it: x* must be a point of the region where the row's linear function equals its bound.
        ICertifiable net = CertificationTests.Make(name, 23);
        int n = net.InputLength, rows = net.OutputLength - 1;
        var random = new SeededRandom(2);
        BoundWorkspace bw = net.CreateBoundWorkspace();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        var point = new float[n];
        foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
        {
            foreach (double size in new[] { 0.02, 0.2, 2.0 })
            {
                float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
                double epsilon = norm == PerturbationNorm.L2 ? size * Math.Sqrt(n) : size;
                bw.MarginRefinements = 0;
                bw.SlopeSteps = 0;
                net.PropagateBounds(bw, x, new InputRegion(norm, epsilon));
                net.MarginLowerBound(bw, CertificationTests.Predict(net, ws, x));
                for (int r = 0; r < rows; r++)
                {
                    Generated.BoundKernels.Minimizer(bw, r, Generated.BoundKernels.MarginIterations, point);
                    double value = bw.Constants(rows)[r], distance = 0;
                    for (int i = 0; i < n; i++)
                    {
                        Assert.InRange(point[i], 0f, 1f);
                        value += (double)bw.Rows(0, rows)[(r * n) + i] * point[i];
                        double d = point[i] - x[i];
                        distance = norm == PerturbationNorm.L2 ? distance + (d * d) : Math.Max(distance, Math.Abs(d));
                    }

                    if (norm == PerturbationNorm.L2) distance = Math.Sqrt(distance);
                    Assert.True(distance <= epsilon * (1 + 1e-5) + 1e-6, $"{name} {norm} ε={epsilon:G3} row {r}: the point is {distance} away");
                    double bound = bw.RowBounds(rows)[r];
                    Assert.True(Math.Abs(value - bound) <= 1e-4 * (1 + Math.Abs(bound)), $"{name} {norm} ε={epsilon:G3} row {r}: value {value} at the point, bound {bound}");
                }
            }
        }
    }

    private static float[] Slopes(BoundWorkspace bw, int k) => (float[])bw.GetType().GetField("_slopes" + k, Internal)!.GetValue(bw)!;

    [Fact]
    public void Optimised_radii_do_not_depend_on_the_thread_count_and_are_not_below_the_re_touched_ones()
    {
        ICertifiable net = CertificationTests.Make(nameof(DeepImageNet), 5);
        int n = net.InputLength, count = 6;
        var random = new SeededRandom(8);
        float[] inputs = Enumerable.Range(0, count * n).Select(_ => (float)random.NextDouble()).ToArray();
        NetworkWorkspace ws = net.CreateWorkspace(1);
        int[] labels = Enumerable.Range(0, count).Select(i => CertificationTests.Predict(net, ws, inputs.AsSpan(i * n, n))).ToArray();
        foreach (PerturbationNorm norm in new[] { PerturbationNorm.L2, PerturbationNorm.LInfinity })
        {
            var options = new CertifyOptions { Norm = norm, SlopeSteps = 5 };
            CertifiedRadius[] one = Certifier.Certify(net, inputs, labels, count, options with { Threads = 1 });
            CertifiedRadius[] two = Certifier.Certify(net, inputs, labels, count, options with { Threads = 3 });
            CertifiedRadius[] retouched = Certifier.Certify(net, inputs, labels, count, options with { SlopeSteps = 0 });
            Assert.Equal(one, two);
            // Each radius search certifies at every ε whatever the re-touched passes certify there, so the optimised radius is
            // at least the re-touched one up to the search's tolerance (the searches visit different ε).
            for (int i = 0; i < count; i++) Assert.True(one[i].Radius >= retouched[i].Radius * (1 - 2e-3), $"{norm} example {i}: {one[i].Radius} below {retouched[i].Radius}");
            Assert.Contains(Enumerable.Range(0, count), i => one[i].Radius > retouched[i].Radius * 1.001);
        }
    }
}
