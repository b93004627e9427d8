using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Intriguing.Data;

namespace Intriguing.Training;

/// <summary>A checkpoint that cannot be used: corrupt, truncated, or made for another network.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>What a checkpoint holds besides the parameters.</summary>
/// <param name="EpochsDone">Completed epochs.</param>
/// <param name="Seed">Seed of the training run.</param>
/// <param name="OptimizerState">Optimiser buffers (e.g. the momentum velocity), same layout as the parameters; may be empty.</param>
/// <param name="Settings">Free-form settings text (JSON by convention) describing how the run was configured.</param>
public sealed record CheckpointState(int EpochsDone, ulong Seed, float[] OptimizerState, string Settings);

/// <summary>
/// Versioned binary checkpoints of a network's parameters and training state.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic <c>INTRCKPT</c>; format version (u32); network name (u16 length + UTF-8); shape
/// fingerprint (u64, see <see cref="Fingerprint"/>); parameter count and buffer length (i32 each); epochs done (i32);
/// seed (u64); optimiser state length (i32); settings (i32 length + UTF-8); the parameters and the optimiser state
/// (f32); then the SHA-256 of every byte before it. Writes go to a temporary file that is renamed over the target, so
/// an interrupted write never leaves a half-written checkpoint.
/// </remarks>
public static class Checkpoint
{
    /// <summary>The current format version.</summary>
    public const uint FormatVersion = 1;

    private static readonly byte[] s_magic = "INTRCKPT"u8.ToArray();

    /// <summary>Trainable parameters of <paramref name="network"/> (padding excluded), as the header stores them.</summary>
    private static int ParameterCount(INetwork network) => checked((int)network.Summary.Parameters);

    /// <summary>
    /// A 64-bit FNV-1a hash of the network's architecture: input length, and per layer its kind, lengths and parameter
    /// offsets. Two networks with the same fingerprint have interchangeable parameter buffers.
    /// </summary>
    public static ulong Fingerprint(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        ulong h = 14695981039346656037UL;
        void Mix(long v)
        {
            for (int i = 0; i < 8; i++)
            {
                h ^= (byte)(v >> (8 * i));
                h *= 1099511628211UL;
            }
        }

        Mix(network.InputLength);
        Mix(network.ParameterBufferLength);
        foreach (LayerInfo l in network.Summary.Layers)
        {
            Mix((long)l.Kind);
            Mix(l.InputLength);
            Mix(l.OutputLength);
            Mix(l.WeightOffset);
            Mix(l.BiasOffset);
        }

        return h;
    }

    /// <summary>Writes <paramref name="network"/>'s parameters and <paramref name="state"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, INetwork network, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerState.Length != 0 && state.OptimizerState.Length != network.ParameterBufferLength)
        {
            throw new ArgumentException($"The optimiser state holds {state.OptimizerState.Length} values; expected 0 or {network.ParameterBufferLength}.", nameof(state));
        }

        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(FormatVersion);
            byte[] name = Encoding.UTF8.GetBytes(network.Name);
            w.Write((ushort)name.Length);
            w.Write(name);
            w.Write(Fingerprint(network));
            w.Write(ParameterCount(network));
            w.Write(network.ParameterBufferLength);
            w.Write(state.EpochsDone);
            w.Write(state.Seed);
            w.Write(state.OptimizerState.Length);
            byte[] settings = Encoding.UTF8.GetBytes(state.Settings);
            w.Write(settings.Length);
            w.Write(settings);
            w.Write(MemoryMarshal.AsBytes((ReadOnlySpan<float>)network.Parameters));
            w.Write(MemoryMarshal.AsBytes((ReadOnlySpan<float>)state.OptimizerState));
        }

        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(body.GetBuffer(), 0, (int)body.Length);
            file.Write(hash);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// The largest file <see cref="Load"/> reads for <paramref name="network"/>: its parameters and an optimizer state of up
    /// to 63 times their size (the L-BFGS history), plus 16 MiB for the header and settings.
    /// </summary>
    private static long MaxLength(INetwork network) => 64L * sizeof(float) * network.ParameterBufferLength + (16L << 20);

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="network"/> and returns its training state.
    /// The parameters are only changed if the whole file verifies.
    /// </summary>
    /// <exception cref="CheckpointException">The file is corrupt or truncated, or was written for another architecture.</exception>
    public static CheckpointState Load(string path, INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        byte[] data;
        try
        {
            // Only a regular file of plausible size is read: a FIFO would wait forever, a device never end.
            FileKind.RequireRegular(path, problem => new CheckpointException($"{path}: {problem}."));
            long length = new FileInfo(path).Length, limit = MaxLength(network);
            if (length > limit) throw new CheckpointException($"{path}: {length:N0} bytes, more than a checkpoint of {network.Name} can hold ({limit:N0}); not a checkpoint of this network.");
            data = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new CheckpointException($"{path}: no checkpoint there.", e);
        }

        if (data.Length < s_magic.Length + 32 || !data.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
        {
            throw new CheckpointException($"{path}: not an Intriguing checkpoint (wrong magic bytes or too short).");
        }

        ReadOnlySpan<byte> body = data.AsSpan(0, data.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(data.AsSpan(data.Length - 32)))
        {
            throw new CheckpointException($"{path}: checksum mismatch; the file is corrupt or truncated.");
        }

        try
        {
            int p = s_magic.Length;
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(body[p..]);
            p += 4;
            if (version != FormatVersion) throw new CheckpointException($"{path}: format version {version} is not supported (this build reads version {FormatVersion}).");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(body[p..]);
            p += 2;
            string name = Encoding.UTF8.GetString(body.Slice(p, nameLength));
            p += nameLength;
            ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(body[p..]);
            p += 8;
            int parameterCount = BinaryPrimitives.ReadInt32LittleEndian(body[p..]);
            int bufferLength = BinaryPrimitives.ReadInt32LittleEndian(body[(p + 4)..]);
            p += 8;
            // Field by field, so that the message says which one differs.
            var differences = new List<string>();
            if (fingerprint != Fingerprint(network)) differences.Add($"architecture fingerprint {fingerprint:x16}, not {Fingerprint(network):x16}");
            if (parameterCount != ParameterCount(network)) differences.Add($"{parameterCount:N0} parameters, not {ParameterCount(network):N0}");
            if (bufferLength != network.ParameterBufferLength) differences.Add($"a parameter buffer of {bufferLength:N0} values, not {network.ParameterBufferLength:N0}");
            if (differences.Count > 0)
            {
                throw new CheckpointException($"{path}: the checkpoint is for {name}, not for {network.Name}: {string.Join("; ", differences)}.");
            }

            int epochs = BinaryPrimitives.ReadInt32LittleEndian(body[p..]);
            p += 4;
            if (epochs < 0) throw new CheckpointException($"{path}: the header records {epochs} completed epochs; a checkpoint records 0 or more.");
            ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(body[p..]);
            p += 8;
            int stateLength = BinaryPrimitives.ReadInt32LittleEndian(body[p..]);
            p += 4;
            int settingsLength = BinaryPrimitives.ReadInt32LittleEndian(body[p..]);
            p += 4;
            if (settingsLength < 0 || stateLength < 0 || (long)p + settingsLength + 4L * (bufferLength + (long)stateLength) != body.Length)
            {
                throw new CheckpointException($"{path}: the declared sizes do not match the file length.");
            }

            string settings = Encoding.UTF8.GetString(body.Slice(p, settingsLength));
            p += settingsLength;
            ReadOnlySpan<float> parameters = MemoryMarshal.Cast<byte, float>(body.Slice(p, 4 * bufferLength));
            p += 4 * bufferLength;
            float[] optimizer = MemoryMarshal.Cast<byte, float>(body.Slice(p, 4 * stateLength)).ToArray();
            parameters.CopyTo(network.Parameters);
            return new CheckpointState(epochs, seed, optimizer, settings);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CheckpointException($"{path}: the header is inconsistent with the file length.", e);
        }
    }
}
