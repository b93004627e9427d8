using System.Runtime.InteropServices;

namespace Intriguing.Data;

/// <summary>
/// What kind of file a path names, so that readers refuse a FIFO (opening it waits for a writer) or a device such as
/// <c>/dev/zero</c> (reading it never ends) before opening it.
/// </summary>
internal static partial class FileKind
{
    // The runtime's own native shim (shipped with every .NET on Unix) exposes stat(2) with portable mode bits.
    private const int TypeMask = 0xF000, RegularFile = 0x8000;

    /// <summary>
    /// The file type of <paramref name="path"/> after following links: "a regular file", or what else it is ("a FIFO",
    /// "a character device", …); null when it does not exist or the type cannot be read on this platform.
    /// </summary>
    public static string? Describe(string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path) ? "a regular file" : null;
        Span<byte> status = stackalloc byte[512]; // larger than the shim's FileStatus; the mode is its second int
        int result;
        try
        {
            result = Stat(path, ref MemoryMarshal.GetReference(status));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path) ? "a regular file" : null;
        }

        if (result != 0) return null;
        return (BitConverter.ToInt32(status.Slice(4, 4)) & TypeMask) switch
        {
            RegularFile => "a regular file",
            0x1000 => "a FIFO",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x4000 => "a directory",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>Throws <paramref name="error"/>'s exception unless <paramref name="path"/> is a regular file (links followed).</summary>
    public static void RequireRegular(string path, Func<string, Exception> error)
    {
        string? kind = Describe(path);
        if (kind is not null && kind != "a regular file") throw error($"is {kind}, not a regular file");
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte output);
}
