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

        MoveAside(checkpoint);
        log.WriteLine($"{Path.GetFileName(checkpoint)}: {reason}; moved to {Path.GetFileName(checkpoint)}.stale, training afresh with: {settings}");
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
                MoveAside(stem + ".json", stem + ".ckpt");
                log.WriteLine($"{prefix}: {Path.GetFileName(stem)} was run with other settings ({settingsOf(done)}); moved to {Path.GetFileName(stem)}.json.stale and .ckpt.stale");
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

    /// <summary>Moves each file to <c>PATH.stale</c>, replacing an earlier one.</summary>
    public static void MoveAside(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (string path in paths) File.Move(path, path + ".stale", overwrite: true);
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/> and moves it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
