using System.Runtime.InteropServices;

namespace Intriguing.Training;

/// <summary>
/// Binds the calling thread to one processor (Linux only; elsewhere every call reports false and changes nothing).
/// Used by <see cref="WorkerPool.BindThreads"/> so that the row ranges a split step keeps in each core's cache do not
/// move when the scheduler swaps the threads between cores.
/// </summary>
internal static partial class ThreadAffinity
{
    // cpu_set_t: 1024 bits.
    private const int SetBytes = 128;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nint size, Span<byte> mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint size, ReadOnlySpan<byte> mask);

    /// <summary>The processors the calling thread may run on, or null where that is unknown.</summary>
    public static byte[]? Get()
    {
        if (!OperatingSystem.IsLinux()) return null;
        byte[] mask = new byte[SetBytes];
        try
        {
            return sched_getaffinity(0, SetBytes, mask) == 0 ? mask : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Restricts the calling thread to <paramref name="mask"/>; false if that failed.</summary>
    public static bool Set(byte[] mask)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return sched_setaffinity(0, SetBytes, mask) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The first <paramref name="count"/> processors of <paramref name="mask"/>, or null if it has fewer.</summary>
    public static int[]? First(byte[] mask, int count)
    {
        var cpus = new List<int>(count);
        for (int cpu = 0; cpu < mask.Length * 8 && cpus.Count < count; cpu++)
        {
            if ((mask[cpu >> 3] & (1 << (cpu & 7))) != 0) cpus.Add(cpu);
        }

        return cpus.Count == count ? cpus.ToArray() : null;
    }

    /// <summary>A mask holding only <paramref name="cpu"/>.</summary>
    public static byte[] Only(int cpu)
    {
        byte[] mask = new byte[SetBytes];
        mask[cpu >> 3] = (byte)(1 << (cpu & 7));
        return mask;
    }
}
