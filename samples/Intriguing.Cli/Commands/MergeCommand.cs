using System.CommandLine;

namespace Intriguing.Cli.Commands;

/// <summary><c>intriguing merge</c>: joins the shards of sweep commands into what a one-process run writes.</summary>
internal static class MergeCommand
{
    /// <summary>Makes the <c>merge</c> command; it runs the shards' command through <paramref name="root"/>.</summary>
    public static Command Create(RootCommand root)
    {
        var jobOption = new Option<string?>("--job") { Description = "Merge only this job (a folder name under OUT/shards); default every job there." };
        var merge = new Command("merge", "Join the shards of attack, certify, robustness or advtrain runs (made with --shard I/N, a Slurm array or a Kubernetes indexed job) in OUT/shards/: checks that every shard is there, made with the same settings and code, and writes the results and report a one-process run writes.")
        {
            jobOption, CommonOptions.Data, CommonOptions.Out, CommonOptions.Threads, CommonOptions.Quiet,
        };
        merge.SetAction(parse => Cli.Guard(() =>
        {
            string output = parse.GetValue(CommonOptions.Out)!;
            IReadOnlyList<string> jobs = Sharding.Jobs(output);
            if (parse.GetValue(jobOption) is { } only)
            {
                if (!jobs.Contains(only)) throw new CliException($"No job {only} in {Path.Combine(output, "shards")}{(jobs.Count == 0 ? "" : $"; there are: {string.Join(", ", jobs)}")}.");
                jobs = [only];
            }

            if (jobs.Count == 0) throw new CliException($"No shards to merge in {Path.Combine(output, "shards")}: run the command with --shard I/N (or as an array job) and --out {output} first.");

            // Every job is checked before any is merged, so that a missing or foreign shard stops the merge before it writes.
            MergedShards[] merged = jobs.Select(job => Sharding.Load(output, job)).ToArray();
            int worst = 0;
            foreach (MergedShards job in merged)
            {
                ShardManifest first = job.Parts[0];
                var arguments = new List<string> { first.Command };
                arguments.AddRange(first.Arguments);
                arguments.AddRange(["--out", output, "--threads", parse.GetValue(CommonOptions.Threads).ToString(System.Globalization.CultureInfo.InvariantCulture), "--shard", "none"]);
                if (parse.GetValue(CommonOptions.Data) is { } data) arguments.AddRange(["--data", data]);
                if (parse.GetValue(CommonOptions.Quiet)) arguments.Add("--quiet");
                ParseResult rerun = root.Parse(arguments);
                if (rerun.Errors.Count > 0) throw new CliException($"The shards of {first.Job} hold arguments this version cannot read: {string.Join(" ", rerun.Errors.Select(e => e.Message))}");
                Console.Error.WriteLine($"Merging {job.Parts.Count} shard(s) of {first.Job} ({first.Command}).");
                Sharding.Merging = job;
                try
                {
                    // The command's own exit code, as its one-process run would give it (attack: 1 when nothing was fooled).
                    worst = Math.Max(worst, rerun.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
                }
                finally
                {
                    Sharding.Merging = null;
                }
            }

            return worst;
        }));
        return merge;
    }
}
