using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Intriguing.Runtime.Tests.Optimization;

/// <summary>One problem's result from SciPy's L-BFGS-B, read from <c>scipy_fixtures.json</c>.</summary>
public sealed record ScipyResult(string Name, string Problem, int M, double Pgtol, double Factr, int N, double F,
    int Nfev, int Nit, string Message, double XNorm, double[] X);

/// <summary>
/// Reads <c>scipy_fixtures.json</c> (made by <c>bench/reference/lbfgsb_scipy.py --json</c>; the exact command is in
/// its <c>command</c> field). Located from the test binary directory upwards, or next to this source file.
/// </summary>
public static class ScipyFixture
{
    private const string RelativePath = "tests/Intriguing.Runtime.Tests/Optimization/scipy_fixtures.json";

    public static IReadOnlyDictionary<string, ScipyResult> Results { get; } = Load();

    private static Dictionary<string, ScipyResult> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FindFile()));
        var results = new Dictionary<string, ScipyResult>();
        foreach (var p in doc.RootElement.GetProperty("problems").EnumerateArray())
        {
            var r = new ScipyResult(
                p.GetProperty("name").GetString()!,
                p.GetProperty("problem").GetString()!,
                p.GetProperty("m").GetInt32(),
                p.GetProperty("pgtol").GetDouble(),
                p.GetProperty("factr").GetDouble(),
                p.GetProperty("n").GetInt32(),
                p.GetProperty("f").GetDouble(),
                p.GetProperty("nfev").GetInt32(),
                p.GetProperty("nit").GetInt32(),
                p.GetProperty("message").GetString()!,
                p.GetProperty("x_norm").GetDouble(),
                p.GetProperty("x").EnumerateArray().Select(e => e.GetDouble()).ToArray());
            results.Add(r.Name, r);
        }

        return results;
    }

    private static string FindFile([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(candidate))
                return candidate;
        }

        string besideSource = Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "scipy_fixtures.json");
        if (File.Exists(besideSource))
            return besideSource;
        throw new FileNotFoundException($"Cannot find {RelativePath} above {AppContext.BaseDirectory}.");
    }
}
