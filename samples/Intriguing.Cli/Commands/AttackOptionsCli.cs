using System.CommandLine;
using Intriguing.Adversarial;

namespace Intriguing.Cli.Commands;

/// <summary>The options that choose and tune a standard attack (<c>attack</c> and <c>robustness</c>).</summary>
internal static class AttackOptionsCli
{
    /// <summary><c>--method</c>: the attack.</summary>
    public static readonly Option<string> Method = CreateMethod();

    /// <summary><c>--norm</c>: l2 or linf.</summary>
    public static readonly Option<string> Norm = CreateNorm();

    /// <summary><c>--epsilon</c>: the budget of FGSM and PGD.</summary>
    public static readonly Option<double> Epsilon = CreateEpsilon();

    /// <summary><c>--steps</c>: iterations (0: the attack's default).</summary>
    public static readonly Option<int> Steps = CreateSteps();

    /// <summary><c>--batch</c>: examples per forward/backward call.</summary>
    public static readonly Option<int> Batch = CreateBatch();

    /// <summary>Adds the check that the chosen method supports the chosen norm (a usage error before any work).</summary>
    public static void ValidateNorm(Command command, Option<string> method)
    {
        command.Validators.Add(r =>
        {
            string? m = r.GetValue(method);
            if (r.GetValue(Norm) == "linf" && m is "cw" or "ddn" or "lbfgs") r.AddError($"--method {m} minimises the L2 norm only; use --norm l2.");
        });
    }

    /// <summary>The chosen attack; a norm the method does not support is a usage error.</summary>
    public static IAttack Create(string method, AttackNorm norm, int layer, double epsilon, int steps, ulong seed)
    {
        try
        {
            return AttackCatalog.Create(method, norm, layer, epsilon, steps, seed);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static Option<string> CreateMethod()
    {
        var option = new Option<string>("--method") { Description = $"Attack: {string.Join(", ", AttackCatalog.Methods)} (ensemble: the least distortion of the minimum-norm attacks).", DefaultValueFactory = _ => "lbfgs" };
        option.AcceptOnlyFromAmong([.. AttackCatalog.Methods]);
        return option;
    }

    private static Option<string> CreateNorm()
    {
        var option = new Option<string>("--norm") { Description = "Norm of the perturbation: l2 or linf (C&W, DDN and L-BFGS: l2 only).", DefaultValueFactory = _ => "l2" };
        option.AcceptOnlyFromAmong("l2", "linf");
        return option;
    }

    private static Option<double> CreateEpsilon()
    {
        var option = new Option<double>("--epsilon") { Description = "Budget ε of FGSM and PGD, in the chosen norm.", DefaultValueFactory = _ => 0.1 };
        option.Validators.Add(r => { if (!(r.GetValueOrDefault<double>() > 0)) r.AddError("--epsilon must be positive."); });
        return option;
    }

    private static Option<int> CreateSteps()
    {
        var option = new Option<int>("--steps") { Description = "Iterations of the attack (C&W: per value of c); 0 for its default.", DefaultValueFactory = _ => 0 };
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--steps must be non-negative."); });
        return option;
    }

    private static Option<int> CreateBatch()
    {
        var option = new Option<int>("--batch") { Description = "Examples stepped together per forward/backward call; the results do not depend on it.", DefaultValueFactory = _ => 32 };
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch must be at least 1."); });
        return option;
    }
}
