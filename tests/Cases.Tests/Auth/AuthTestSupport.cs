using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.Cases.Tests.Auth;

/// <summary>A folder of its own under the system's temporary folder, removed afterwards: never the user's real key.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "casesystem-auth-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

internal static class Tokens
{
    public static readonly DateTimeOffset Noon = new(2025, 4, 1, 12, 0, 0, TimeSpan.FromHours(9));

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A token with any payload, correctly signed with <paramref name="key"/>: to show that the signature alone is not enough.</summary>
    public static string Forge(byte[] key, string json) => SignRaw(key, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json)));

    /// <summary>"cs1." + the payload text as given + its correct signature.</summary>
    public static string SignRaw(byte[] key, string payload) =>
        "cs1." + payload + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("cs1." + payload)));
}
