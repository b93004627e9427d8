using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Intriguing.Cli;

/// <summary>Part <see cref="Index"/> (0-based) of <see cref="Count"/> parts of a sweep.</summary>
internal sealed record ShardSpec(int Index, int Count)
{
    /// <summary>The file name stem of this part: <c>I-of-N</c>.</summary>
    public string Name => $"{Index}-of-{Count}";

    /// <summary>
    /// This part's share of <paramref name="items"/> work items, in their order: the contiguous block
    /// [⌊items·I/N⌋, ⌊items·(I+1)/N⌋), so the blocks of all parts cover every item once, in order.
    /// </summary>
    public (int Start, int End) Range(int items) => ((int)((long)items * Index / Count), (int)((long)items * (Index + 1) / Count));
}

/// <summary>What one shard did: written to <c>OUT/shards/JOB/I-of-N.json</c> and read back by <c>intriguing merge</c>.</summary>
internal sealed record ShardManifest
{
    /// <summary>The command, e.g. <c>attack</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The job: the stem of the files a one-process run of the command writes.</summary>
    public required string Job { get; init; }

    /// <summary>The command's arguments that decide the numbers, in canonical form (merge runs the command with them).</summary>
    public required string[] Arguments { get; init; }

    /// <summary>Everything the numbers depend on: the canonical arguments and the model's checkpoint digest.</summary>
    public required string Settings { get; init; }

    /// <summary>The code: the command line's informational version (release and git commit).</summary>
    public required string Version { get; init; }

    /// <summary>This shard's index, 0-based.</summary>
    public required int Shard { get; init; }

    /// <summary>Shards in the job.</summary>
    public required int Shards { get; init; }

    /// <summary>Work items of the whole job (examples, or variant × seed runs).</summary>
    public required int Items { get; init; }

    /// <summary>First item of this shard.</summary>
    public required int Start { get; init; }

    /// <summary>One past the last item of this shard.</summary>
    public required int End { get; init; }

    /// <summary>Host that ran it.</summary>
    public required string Host { get; init; }

    /// <summary>When it started and finished (UTC, ISO 8601).</summary>
    public required string Started { get; init; }

    /// <summary>When it finished.</summary>
    public required string Finished { get; init; }

    /// <summary>Wall time of the shard's work, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>The shard's results, in the command's own form.</summary>
    public required JsonElement Results { get; init; }
}

/// <summary>Every shard of a job, checked, in shard order: given to the command by <c>intriguing merge</c>.</summary>
internal sealed record MergedShards(string Directory, IReadOnlyList<ShardManifest> Parts)
{
    /// <summary>Each shard's results as <typeparamref name="T"/>, in shard order.</summary>
    public IReadOnlyList<T> Results<T>() => Parts.Select(p => p.Results.Deserialize<T>(Sharding.Json) ?? throw new CliException($"Shard {p.Shard}-of-{p.Shards} of {p.Job} holds no results.")).ToList();

    /// <summary>The shards' work time together, seconds.</summary>
    public double Seconds => Parts.Sum(p => p.Seconds);
}

/// <summary>
/// The shard contract of the sweep commands: <c>--shard I/N</c> (or a Slurm array task, or a Kubernetes indexed job
/// with <c>--shards N</c>) does part I of the work and writes it, atomically, to <c>OUT/shards/JOB/I-of-N.json</c>;
/// <c>intriguing merge</c> checks that the parts are all there and agree, and writes what a one-process run writes.
/// </summary>
internal static class Sharding
{
    /// <summary>JSON of shard files: exact round trip of doubles, NaN and infinities included.</summary>
    public static JsonSerializerOptions Json { get; } = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary><c>--shard I/N</c>.</summary>
    public static readonly Option<string?> Shard = new("--shard")
    {
        Description = "Do part I of N of the work (I is 0-based: 0/4, 1/4, 2/4, 3/4) and write it to OUT/shards/; `intriguing merge --out OUT` joins the parts. " +
            "Without it, a Slurm array task (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) is a part by itself; `none` runs everything here.",
    };

    /// <summary><c>--shards N</c>: the number of parts when the index comes from the environment.</summary>
    public static readonly Option<int?> Shards = new("--shards")
    {
        Description = "Number of parts when the part's index comes from the environment: JOB_COMPLETION_INDEX (a Kubernetes indexed job) or SLURM_ARRAY_TASK_ID.",
    };

    /// <summary>Options that do not change the numbers: left out of a shard's settings.</summary>
    private static readonly HashSet<string> s_neutral = ["--shard", "--shards", "--out", "--threads", "--quiet", "--data", "--help", "--batch-progress"];

    /// <summary>The job <c>intriguing merge</c> is merging now, or null in an ordinary run.</summary>
    public static MergedShards? Merging { get; set; }

    /// <summary>Adds <c>--shard</c> and <c>--shards</c> to a sweep command.</summary>
    public static void AddTo(Command command)
    {
        command.Options.Add(Shard);
        command.Options.Add(Shards);
    }

    /// <summary>
    /// The part this process is to do: <c>--shard I/N</c>; else with <c>--shards N</c> the index in JOB_COMPLETION_INDEX or
    /// SLURM_ARRAY_TASK_ID; else a Slurm array task's own index and count; else none (the whole work). Bad values are
    /// usage errors.
    /// </summary>
    public static ShardSpec? Resolve(ParseResult parse) => Resolve(parse.GetValue(Shard), parse.GetValue(Shards), Environment.GetEnvironmentVariable);

    /// <summary><see cref="Resolve(ParseResult)"/> with the environment given.</summary>
    public static ShardSpec? Resolve(string? shard, int? shards, Func<string, string?> environment)
    {
        if (shards is < 1) throw new UsageException($"--shards must be at least 1, not {shards}.");
        if (shard is not null)
        {
            if (shard.Trim() == "none") return null;
            Match m = Regex.Match(shard.Trim(), @"^(\d{1,9})/(\d{1,9})$");
            if (!m.Success) throw new UsageException($"--shard must be I/N with 0 ≤ I < N (0-based, e.g. 0/4), or none; not '{shard}'.");
            int index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), count = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (count < 1) throw new UsageException($"--shard {shard}: N must be at least 1.");
            if (index >= count) throw new UsageException($"--shard {shard}: the index is 0-based and must be below {count} (0/{count} … {count - 1}/{count}).");
            if (shards is { } n && n != count) throw new UsageException($"--shard {shard} and --shards {n} disagree.");
            return new ShardSpec(index, count);
        }

        string? kubernetes = environment("JOB_COMPLETION_INDEX"), slurm = environment("SLURM_ARRAY_TASK_ID");
        if (shards is { } total)
        {
            if (!string.IsNullOrEmpty(kubernetes)) return FromEnvironment("JOB_COMPLETION_INDEX", kubernetes, 0, total);
            if (!string.IsNullOrEmpty(slurm)) return FromEnvironment("SLURM_ARRAY_TASK_ID", slurm, Minimum(environment), total);
            throw new UsageException("--shards N needs the part's index: --shard I/N, or JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm) in the environment.");
        }

        if (!string.IsNullOrEmpty(kubernetes)) throw new UsageException($"JOB_COMPLETION_INDEX is set ({kubernetes}): in a Kubernetes indexed job give the number of parts with --shards N, or --shard none to do all the work in every pod.");
        if (string.IsNullOrEmpty(slurm) || environment("SLURM_ARRAY_TASK_COUNT") is not { Length: > 0 } countText) return null;
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int slurmCount) || slurmCount < 1) throw new UsageException($"SLURM_ARRAY_TASK_COUNT must be a positive integer, not '{countText}'.");
        return FromEnvironment("SLURM_ARRAY_TASK_ID", slurm, Minimum(environment), slurmCount);
    }

    private static int Minimum(Func<string, string?> environment) =>
        int.TryParse(environment("SLURM_ARRAY_TASK_MIN"), NumberStyles.None, CultureInfo.InvariantCulture, out int min) ? min : 0;

    private static ShardSpec FromEnvironment(string variable, string text, int offset, int count)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int raw)) throw new UsageException($"{variable} must be a non-negative integer, not '{text}'.");
        int index = raw - offset;
        if (index < 0 || index >= count) throw new UsageException($"{variable}={raw} gives part {index} of {count}; parts are 0 … {count - 1} (submit the array as 0-{count - 1}).");
        return new ShardSpec(index, count);
    }

    /// <summary>
    /// The command's arguments that decide its numbers, canonical: every option of the command with its value (the
    /// default included), by name, in the command's option order; options that change no number are left out.
    /// </summary>
    public static string[] CanonicalArguments(ParseResult parse)
    {
        var arguments = new List<string>();
        foreach (Option option in parse.CommandResult.Command.Options)
        {
            if (s_neutral.Contains(option.Name) || parse.GetResult(option) is not OptionResult result) continue;
            object? value = result.GetValueOrDefault<object?>();
            switch (value)
            {
                case null or false:
                    continue;
                case true:
                    arguments.Add(option.Name);
                    break;
                default:
                    arguments.Add(option.Name);
                    arguments.Add(Convert.ToString(value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : value is float f ? f.ToString("R", CultureInfo.InvariantCulture) : value, CultureInfo.InvariantCulture)!);
                    break;
            }
        }

        if (parse.GetValue(Commands.CommonOptions.NoVerifyData)) arguments.Add(Commands.CommonOptions.NoVerifyData.Name);
        return arguments.ToArray();
    }

    /// <summary>The code version: the command line's informational version (the release and, from a git clone, the commit).</summary>
    public static string Version => typeof(Sharding).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The SHA-256 of a file (a checkpoint), in hex.</summary>
    public static string Digest(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>The folder of a job's shard files.</summary>
    public static string JobDirectory(string output, string job) => Path.Combine(output, "shards", job);

    /// <summary>
    /// Writes shard <paramref name="spec"/>'s results atomically to <c>OUT/shards/JOB/I-of-N.json</c> (through a temporary
    /// file named after this host and process, so shards on other machines sharing the folder never collide), replacing
    /// an earlier attempt of the same shard only. Returns the path.
    /// </summary>
    public static string Write(string output, string command, string job, string[] arguments, string settings, ShardSpec spec, int items, (int Start, int End) range, DateTime started, object results)
    {
        string directory = JobDirectory(output, job);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, spec.Name + ".json");
        DateTime finished = DateTime.UtcNow;
        var manifest = new ShardManifest
        {
            Command = command,
            Job = job,
            Arguments = arguments,
            Settings = settings,
            Version = Version,
            Shard = spec.Index,
            Shards = spec.Count,
            Items = items,
            Start = range.Start,
            End = range.End,
            Host = Environment.MachineName,
            Started = started.ToString("O", CultureInfo.InvariantCulture),
            Finished = finished.ToString("O", CultureInfo.InvariantCulture),
            Seconds = (finished - started).TotalSeconds,
            Results = JsonSerializer.SerializeToElement(results, Json),
        };

        // Leftovers of an interrupted attempt of this same shard.
        foreach (string stale in Directory.EnumerateFiles(directory, $".{spec.Name}.json.*.tmp")) File.Delete(stale);
        string temp = Path.Combine(directory, $".{spec.Name}.json.{Environment.MachineName}-{Environment.ProcessId}.tmp");
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, manifest, Json);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>The one line a shard prints when done.</summary>
    public static string Done(string command, ShardSpec spec, (int Start, int End) range, int items, string what, string path, string output, DateTime started) =>
        string.Create(CultureInfo.InvariantCulture, $"{command} shard {spec.Index}/{spec.Count}: {(range.End > range.Start ? $"{what} {range.Start}…{range.End - 1}" : $"no {what} (an empty part)")} of {items} done in {(DateTime.UtcNow - started).TotalSeconds:F1} s; wrote {path}. When every shard is done: intriguing merge --out {output}");

    /// <summary>The jobs with shard files under <paramref name="output"/>, by name.</summary>
    public static IReadOnlyList<string> Jobs(string output)
    {
        string root = Path.Combine(output, "shards");
        return Directory.Exists(root) ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray() : [];
    }

    /// <summary>
    /// Reads every shard of <paramref name="job"/> and checks that they make one whole: the same command, settings, code
    /// version and count, every index from 0 to N − 1 present once, and their items covering the job in order. A missing
    /// or foreign shard is an error that names it.
    /// </summary>
    public static MergedShards Load(string output, string job)
    {
        string directory = JobDirectory(output, job);
        var parts = new List<(string File, ShardManifest Manifest)>();
        foreach (string path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(path);
            if (!Regex.IsMatch(file, @"^\d+-of-\d+\.json$")) continue;
            ShardManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            }
            catch (JsonException e)
            {
                throw new CliException($"Shard file {path} is unreadable ({e.Message}); run that shard again.");
            }

            if (file != $"{manifest.Shard}-of-{manifest.Shards}.json" || manifest.Job != job) throw new CliException($"Shard file {path} holds shard {manifest.Shard}-of-{manifest.Shards} of job {manifest.Job}; it does not belong here.");
            parts.Add((path, manifest));
        }

        if (parts.Count == 0) throw new CliException($"No shard files in {directory}.");

        // The reference is what most shards agree on (the lowest shard breaks ties); any other shard is foreign.
        ShardManifest Majority(Func<ShardManifest, string> key) => parts.GroupBy(p => key(p.Manifest)).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(p => p.Manifest.Shard)).First().First().Manifest;
        ShardManifest reference = Majority(m => $"{m.Shards}\n{m.Command}\n{m.Settings}\n{m.Version}\n{m.Items}");
        foreach (var (path, m) in parts)
        {
            string? why = m.Shards != reference.Shards ? $"it is one of {m.Shards} shards, the others of {reference.Shards}"
                : m.Command != reference.Command ? $"it is from `{m.Command}`, the others from `{reference.Command}`"
                : m.Version != reference.Version ? $"it was made by code version {m.Version}, the others by {reference.Version}"
                : m.Settings != reference.Settings ? $"it was made with other settings ({Difference(m.Settings, reference.Settings)})"
                : m.Items != reference.Items ? $"it splits {m.Items} items, the others {reference.Items}"
                : null;
            if (why is not null) throw new CliException($"Shard {m.Shard}-of-{m.Shards} ({path}) is foreign: {why}. Remove it, or run it again with the same settings and code.");
        }

        var ordered = new List<ShardManifest>();
        for (int i = 0; i < reference.Shards; i++)
        {
            ShardManifest? m = parts.Select(p => p.Manifest).FirstOrDefault(p => p.Shard == i);
            if (m is null) throw new CliException($"Shard {i}-of-{reference.Shards} of {job} is missing ({Path.Combine(directory, $"{i}-of-{reference.Shards}.json")}); run it with --shard {i}/{reference.Shards}.");
            var expected = new ShardSpec(i, reference.Shards).Range(reference.Items);
            if ((m.Start, m.End) != expected) throw new CliException($"Shard {i}-of-{reference.Shards} ({Path.Combine(directory, $"{i}-of-{reference.Shards}.json")}) covers items {m.Start}…{m.End - 1}, not {expected.Start}…{expected.End - 1}; run it again.");
            ordered.Add(m);
        }

        return new MergedShards(directory, ordered);
    }

    /// <summary>The first setting two settings lines disagree on, as "A instead of B".</summary>
    private static string Difference(string mine, string theirs)
    {
        string[] a = mine.Split(" | "), b = theirs.Split(" | ");
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(nothing)", y = i < b.Length ? b[i] : "(nothing)";
            if (x != y) return $"{x} instead of {y}";
        }

        return "the same text";
    }

    /// <summary>The settings line of a job: its canonical arguments and the digest of the model it used, if any.</summary>
    public static string Settings(string[] arguments, string? checkpoint)
    {
        var parts = new List<string>();
        for (int i = 0; i < arguments.Length; i++)
        {
            // "--name value" pairs and lone flags, one entry each.
            if (i + 1 < arguments.Length && !arguments[i + 1].StartsWith("--", StringComparison.Ordinal)) parts.Add($"{arguments[i]} {arguments[++i]}");
            else parts.Add(arguments[i]);
        }

        if (checkpoint is not null) parts.Add($"model sha256 {Digest(checkpoint)}");
        return string.Join(" | ", parts);
    }

    /// <summary>
    /// The trained model a shard or a merge uses: its checkpoint must exist (shards never train it, or every shard
    /// would). Returns the path.
    /// </summary>
    public static string RequireCheckpoint(string path, string model, string output)
    {
        if (!File.Exists(path)) throw new CliException($"Shards and merge need the trained model: no checkpoint at {path}. Train it once first: intriguing train --model {model} --out {output}");
        return path;
    }
}

/// <summary>
/// A sweep command run as a shard (<see cref="Part"/>) or as the merge of a job's shards (<see cref="Merged"/>), with
/// what its shard files record: the canonical arguments and the settings line.
/// </summary>
internal sealed record ShardRun(string Command, string[] Arguments, string Settings, string Output, ShardSpec? Part, MergedShards? Merged)
{
    /// <summary>
    /// The shard run of <paramref name="parse"/>, or null for an ordinary one-process run. <paramref name="checkpoint"/> is
    /// the model the command uses (its digest goes into the settings), if any.
    /// </summary>
    public static ShardRun? For(ParseResult parse, string command, string output, string? checkpoint)
    {
        ShardSpec? part = Sharding.Merging is null ? Sharding.Resolve(parse) : null;
        if (part is null && Sharding.Merging is null) return null;
        string[] arguments = Sharding.CanonicalArguments(parse);
        return new ShardRun(command, arguments, Sharding.Settings(arguments, checkpoint), output, part, Sharding.Merging);
    }

    /// <summary>Writes this shard's <paramref name="results"/> for <paramref name="job"/>; returns the one line to print.</summary>
    public string Write(string job, int items, (int Start, int End) range, DateTime started, object results, string what)
    {
        string path = Sharding.Write(Output, Command, job, Arguments, Settings, Part!, items, range, started, results);
        return Sharding.Done(Command, Part!, range, items, what, path, Output, started);
    }

    /// <summary>
    /// The merged shards' results of <paramref name="job"/> in shard order, after checking that they are this command's
    /// job, made with the settings and code of this merge.
    /// </summary>
    public IReadOnlyList<T> Results<T>(string job)
    {
        ShardManifest first = Merged!.Parts[0];
        if (first.Job != job) throw new CliException($"The shards in {Merged.Directory} are of job {first.Job}, but their arguments make {job}.");
        if (first.Settings != Settings) throw new CliException($"The shards in {Merged.Directory} were made with settings ({first.Settings}) other than this merge finds ({Settings}): was the model retrained since?");
        if (first.Version != Sharding.Version) throw new CliException($"The shards in {Merged.Directory} were made by code version {first.Version}, this merge is {Sharding.Version}; merge with the same build.");
        return Merged.Results<T>();
    }
}
