using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace CaseSystem.Benchmarks;

/// <summary>
/// How fast one core of this machine is at the moment, as a fixed piece of work: SHA-256 over
/// 1 KiB blocks for one second. The machine is a virtual one whose host is shared: the same
/// benchmark on the same code measured 3,600-4,200 lines/s in one hour and 5,200-5,800 in another
/// (ops/bench import, 2026-12-02), while `openssl speed sha256` on the idle machine moved between
/// about 1,400 MB/s and 1,150. Printed beside a result, it says whether two results were measured
/// on the same machine in the same state.
/// </summary>
internal static class HostSpeed
{
    public static double Sha256MegabytesPerSecond()
    {
        var block = new byte[1024];
        Random.Shared.NextBytes(block);
        Span<byte> hash = stackalloc byte[32];
        var started = Stopwatch.GetTimestamp();
        long bytes = 0;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
        {
            for (var i = 0; i < 1000; i++) SHA256.HashData(block, hash);
            bytes += 1000L * block.Length;
        }
        return bytes / Stopwatch.GetElapsedTime(started).TotalSeconds / 1e6;
    }

    /// <summary>The figure as the benchmarks print it on their '#' lines.</summary>
    public static string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"one core's SHA-256 {Sha256MegabytesPerSecond():N0} MB/s");
}
