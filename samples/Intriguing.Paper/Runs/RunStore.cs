using System.Text.Json;
using Intriguing.Training;

namespace Intriguing.Paper;

/// <summary>
/// Where finished and interrupted runs are kept and how they are reused: a checkpoint (or a run record beside its
/// checkpoint) is reused only when it was made with the same settings line; one made with other settings is set aside as
/// <c>PATH.stale</c> instead of being resumed or overwritten.
/// </summary>
public static class RunStore
{
    /// <summary>
    /// Whether <paramref name="checkpoint"/> exists, loads into <paramref name="net"/> and was made with
    /// <paramref name="settings"/> over at least <paramref name="epochs"/> epochs. A readable checkpoint replaces the
    /// network's parameters even when its settings differ; an unreadable one counts as not reusable.
    /// </summary>
    public static bool IsReusable(string checkpoint, INetwork net, string settings, int epochs = 0)
    {
        ArgumentNullException.ThrowIfNull(net);
        if (!File.Exists(checkpoint)) return false;
        try
        {
            CheckpointState state = Checkpoint.Load(checkpoint, net);
            return state.EpochsDone >= epochs && state.Settings == settings;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves a checkpoint of <paramref name="net"/> made with other settings (or unreadable) to <c>PATH.stale</c>, so that
    /// the model is trained afresh by the current recipe instead of failing to resume; a checkpoint of the same settings
    /// stays to be resumed or reused. The network's parameters are left as they were.
    /// </summary>
    public static void SetAsideStale(string checkpoint, INetwork net, string settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(log);
        if (!File.Exists(checkpoint)) return;
        string reason;
        try
        {
            float[] before = net.Parameters.ToArray(); // loading replaces the parameters (only when the whole file is valid)
            CheckpointState state = Checkpoint.Load(checkpoint, net);
            before.CopyTo(net.Parameters);
            if (state.Settings == settings) return;
            reason = $"made with other settings ({state.Settings})";
        }
        catch (CheckpointException e)
        {
            reason = e.Message;
        }

        string[] moved = MoveAside(checkpoint);
        log.WriteLine($"{Path.GetFileName(checkpoint)}: {reason}; moved to {Path.GetFileName(moved[0])}, training afresh with: {settings}");
    }

    /// <summary>
    /// The finished run kept as <c>STEM.json</c> (its record, of type <typeparamref name="T"/>) beside <c>STEM.ckpt</c>
    /// (its network), if both were made with <paramref name="settings"/>; the checkpoint is then loaded into
    /// <paramref name="net"/>. A run of other settings is moved to <c>.json.stale</c> and <c>.ckpt.stale</c> (unless
    /// <paramref name="keep"/>); an unreadable one is ignored. Each case is logged with <paramref name="prefix"/>.
    /// </summary>
    public static T? FindRun<T>(string stem, INetwork net, string settings, Func<T, string> settingsOf, JsonSerializerOptions json, bool keep, TextWriter log, string prefix)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(settingsOf);
        ArgumentNullException.ThrowIfNull(log);
        if (!File.Exists(stem + ".json") || !File.Exists(stem + ".ckpt")) return null;
        try
        {
            T? done = JsonSerializer.Deserialize<T>(File.ReadAllText(stem + ".json"), json);
            if (done is not null && settingsOf(done) == settings && Checkpoint.Load(stem + ".ckpt", net).Settings == settings) return done;
            if (done is not null && settingsOf(done) != settings && !keep)
            {
                // A run of other settings in this folder: kept beside the new one instead of overwritten.
                string[] moved = MoveAside(stem + ".json", stem + ".ckpt");
                log.WriteLine($"{prefix}: {Path.GetFileName(stem)} was run with other settings ({settingsOf(done)}); moved to {Path.GetFileName(moved[0])} and {Path.GetFileName(moved[1])}");
            }
        }
        catch (Exception e) when (e is JsonException or CheckpointException)
        {
            log.WriteLine($"{prefix}: ignoring the unusable earlier run {stem}.json ({e.Message})");
        }

        return null;
    }

    /// <summary>Writes the record of a finished run to <c>STEM.json</c> (atomically).</summary>
    public static void SaveRun<T>(string stem, T run, JsonSerializerOptions json) => WriteAtomically(stem + ".json", JsonSerializer.Serialize(run, json));

    /// <summary>Most files set aside per name: <c>PATH.stale</c>, <c>PATH.stale.2</c> … <c>PATH.stale.9</c>.</summary>
    public const int StaleHistory = 9;

    /// <summary>
    /// Moves each file to the first free name of <c>PATH.stale</c>, <c>PATH.stale.2</c> … (the same number for all of
    /// them, so files set aside together stay together); once all <see cref="StaleHistory"/> names are taken, the
    /// oldest set is replaced. Never overwrites a newer file set aside. Returns the new paths.
    /// </summary>
    public static string[] MoveAside(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        static string Name(string path, int n) => path + ".stale" + (n == 1 ? "" : "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int slot = 0;
        for (int n = 1; n <= StaleHistory && slot == 0; n++)
        {
            if (!paths.Any(p => File.Exists(Name(p, n)))) slot = n;
        }

        if (slot == 0)
        {
            // Every name is taken: reuse the slot whose files are oldest.
            slot = Enumerable.Range(1, StaleHistory).MinBy(n => paths.Select(p => Name(p, n)).Where(File.Exists).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(DateTime.MinValue).Max());
        }

        string[] moved = paths.Select(p => Name(p, slot)).ToArray();
        for (int i = 0; i < paths.Length; i++) File.Move(paths[i], moved[i], overwrite: true);
        return moved;
    }

    /// <summary>
    /// Writes <paramref name="text"/> (UTF-8) to a temporary file beside <paramref name="path"/>, flushes it to disk and
    /// moves it over <paramref name="path"/>: a reader sees the old file or the new one, never a part.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        string temp = path + "." + Environment.ProcessId + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(text));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Deletes the temporary files that interrupted atomic writes left in <paramref name="directory"/> and the folders
    /// below it (<c>NAME.PID.tmp</c>, <c>.NAME.PID.tmp</c>) whose process is no longer running; returns their paths.
    /// </summary>
    public static IReadOnlyList<string> RemoveInterruptedWrites(string directory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory)) return removed;
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (string path in Directory.EnumerateFiles(directory, "*.tmp", options))
        {
            string[] parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 3 || !int.TryParse(parts[^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid) || Running(pid)) continue;
            File.Delete(path);
            removed.Add(path);
        }

        return removed;
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
