using System.Globalization;
using System.Text.RegularExpressions;

namespace Intriguing.Cli.Tests;

/// <summary><c>train --lipschitz</c> end to end: the projected model's bounds stay at most τ and the report is printed.</summary>
public class LipschitzCliTests
{
    [Fact]
    public void Projected_training_keeps_every_layer_bound_at_most_tau_and_reports_certified_accuracy()
    {
        string data = TestPaths.MnistDirectory();
        string output = Directory.CreateTempSubdirectory("intriguing-lipschitz-").FullName;
        try
        {
            const double tau = 3;
            var (code, stdout, stderr) = CliRunner.Run($"train --model FC100-100-10 --epochs 1 --lipschitz project,margin --tau 3 --margin-eps 0.1 --quiet --data \"{data}\" --out \"{output}\"", timeoutSeconds: 300);
            Assert.True(code == 0, stderr + stdout);
            Match bounds = Regex.Match(stdout, @"layer bounds Dense1 (\S+), Dense2 (\S+), Dense3 (\S+); logit bound L = (\S+)");
            Assert.True(bounds.Success, stdout);
            double product = 1;
            for (int g = 1; g <= 3; g++)
            {
                double b = double.Parse(bounds.Groups[g].Value, CultureInfo.InvariantCulture);
                Assert.InRange(b, 0, tau);
                product *= b;
            }

            // The sigmoids contribute 1/4 each, so L ≤ τ³/16 up to the printed digits.
            Assert.InRange(double.Parse(bounds.Groups[4].Value, CultureInfo.InvariantCulture), 0, product / 16 * 1.001);
            Assert.Matches(@"certified accuracy \(global bound, L2 radius\) 0\.5 \S+ %, 1 \S+ %, 1\.58 \S+ %", stdout);
            Assert.Matches(@"certified accuracy \(per-class-pair bounds, L2 radius\) 0\.5 \S+ %, 1 \S+ %, 1\.58 \S+ %", stdout);
            string checkpoint = Path.Combine(output, "checkpoints-lipschitz", "fc100-100-10.ckpt");
            Assert.True(File.Exists(checkpoint));
            Assert.False(File.Exists(Path.Combine(output, "checkpoints", "fc100-100-10.ckpt"))); // not mistaken for the plain model
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
