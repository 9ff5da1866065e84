using System.Runtime.CompilerServices;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// Snapshot files beside the test source: "&lt;name&gt;.verified.json" is committed; on a mismatch,
/// or when there is none yet, the actual text is written to "&lt;name&gt;.received.json" and the
/// assertion fails. Accept a change by renaming received to verified.
/// </summary>
public static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        Directory.CreateDirectory(folder);
        var verified = Path.Combine(folder, name + ".verified.json");
        var received = Path.Combine(folder, name + ".received.json");
        actual = actual.ReplaceLineEndings("\n").TrimEnd() + "\n";

        if (File.Exists(verified) && File.ReadAllText(verified).ReplaceLineEndings("\n") == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(File.Exists(verified)
            ? $"snapshot {name} differs from {verified}; the actual text is in {received}"
            : $"snapshot {name} has no verified file yet; review {received} and rename it to {Path.GetFileName(verified)}");
    }
}
