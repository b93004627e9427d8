using System.Runtime.CompilerServices;

namespace Intriguing.Generator.Tests;

/// <summary>
/// Snapshot assertions with Verify's file conventions: <c>Snapshots/NAME.verified.cs</c> is committed; on a
/// mismatch <c>NAME.received.cs</c> is written next to it and the test fails. Set the environment variable
/// <c>INTRIGUING_ACCEPT_SNAPSHOTS=1</c> to accept the received text as the new verified file.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "INTRIGUING_ACCEPT_SNAPSHOTS";

    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        Directory.CreateDirectory(folder);
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        string reason = expected is null ? "no verified snapshot exists" : "the generated source differs from the verified snapshot";
        Assert.Fail($"Snapshot '{name}': {reason}. Compare {received} with {verified}; if the change is intended, rerun with {AcceptVariable}=1.");
    }
}
