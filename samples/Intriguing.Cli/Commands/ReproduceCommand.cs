using System.CommandLine;
using Intriguing.Data;
using Intriguing.Paper;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing reproduce</c>: every model and experiment of the paper, written to a report.</summary>
internal static class ReproduceCommand
{
    /// <summary>Makes the <c>reproduce</c> command with its options and action.</summary>
    public static Command Create()
    {
        var quickOption = new Option<bool>("--quick") { Description = "Reduced run (a fifth of the epochs, 20 attacked examples per model) in a few minutes, clearly labelled as such." };
        var attackCountOption = new Option<int?>("--attack-count") { Description = "Examples drawn per model for the adversarial tables (default 100, or 20 with --quick; 0 skips them)." };
        CommonOptions.Validate(attackCountOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--attack-count must be 0 or more."); });
        var advSeedsOption = new Option<int?>("--advtrain-seeds") { Description = "Seeds of the adversarial-training comparison (default 3, or one tiny run with --quick; 0 skips it). Its runs are reused from OUT/advtrain/." };
        CommonOptions.Validate(advSeedsOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--advtrain-seeds must be 0 or more."); });
        var certifyCountOption = new Option<int?>("--certify-count") { Description = "Test examples per model of the certified-radius bracket (default 1,000, or 100 with --quick; MNIST-Conv at most 100, or 10; 0 skips it)." };
        CommonOptions.Validate(certifyCountOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--certify-count must be 0 or more."); });
        var headOption = new Option<int?>("--head-to-head") { Description = "Examples drawn per model for the head-to-head of L-BFGS against the minimum-norm attacks (default 100, or 10 with --quick; 0 skips it)." };
        CommonOptions.Validate(headOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--head-to-head must be 0 or more."); });
        var budgetOption = new Option<int?>("--head-to-head-budget") { Description = "Forward-and-backward passes per example for the head-to-head's attacks (default 1000, or 200 with --quick)." };
        CommonOptions.Validate(budgetOption, r => { if (r.GetValueOrDefault<int?>() is < 10) r.AddError("--head-to-head-budget must be at least 10."); });
        var controlSeedsOption = new Option<int?>("--control-seeds") { Description = "Seeds of the section \"Controlling instability\" (default 3, or 1 with --quick; 0 skips it). Its runs are reused from OUT/control/." };
        CommonOptions.Validate(controlSeedsOption, r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--control-seeds must be 0 or more."); });
        var controlCountOption = new Option<int?>("--control-count") { Description = "Test examples per dense model for the certified radii and attacks of that section (default 100, or 20 with --quick; a fifth for MNIST-Conv)." };
        CommonOptions.Validate(controlCountOption, r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--control-count must be at least 1."); });
        var reproduce = new Command("reproduce", "Train (or reuse checkpoints of) every model of the paper and write OUT/report.md and OUT/results.json.")
        {
            CommonOptions.Out, CommonOptions.Data, CommonOptions.Seed, quickOption, attackCountOption, certifyCountOption, advSeedsOption, headOption, budgetOption, controlSeedsOption, controlCountOption, CommonOptions.Threads, CommonOptions.Quiet,
        };
        reproduce.SetAction(parse => Cli.Guard(() =>
        {
            Cli.PrepareOutput(parse.GetValue(CommonOptions.Out)!);
            MnistData data = Cli.LoadData(parse);
            var options = new ReproduceOptions
            {
                OutputDirectory = parse.GetValue(CommonOptions.Out)!,
                Data = data,
                Seed = parse.GetValue(CommonOptions.Seed),
                Quick = parse.GetValue(quickOption),
                Threads = parse.GetValue(CommonOptions.Threads),
                AttackCount = parse.GetValue(attackCountOption),
                AdvTrainSeeds = parse.GetValue(advSeedsOption),
                CertifyCount = parse.GetValue(certifyCountOption),
                HeadToHeadCount = parse.GetValue(headOption),
                HeadToHeadBudget = parse.GetValue(budgetOption),
                ControlSeeds = parse.GetValue(controlSeedsOption),
                ControlCount = parse.GetValue(controlCountOption),
            };
            ReproductionResults results = Cli.WithProgressPerModel(parse.GetValue(CommonOptions.Quiet), progress => Reproduction.Run(options, Console.Out, progress, Cli.Cancellation));
            ReproductionReport.WriteOutputs(options.OutputDirectory, results);
            Console.WriteLine($"Wrote {Path.Combine(options.OutputDirectory, "report.md")}, report.html and results.json ({results.TotalSeconds:F0} s).");
            return 0;
        }));
        return reproduce;
    }
}
