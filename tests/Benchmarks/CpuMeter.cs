using System.Diagnostics;
using System.Globalization;

namespace CaseSystem.Benchmarks;

/// <summary>
/// CPU time (Linux /proc): this process's, the bench cluster's (the postmaster of the benchmark's
/// connections and its children alive at each reading), and the whole machine's busy share.
/// </summary>
internal sealed class CpuMeter(Npgsql.NpgsqlDataSource db)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    public sealed record Reading(TimeSpan Own, TimeSpan Postgres, long MachineBusy, long MachineTotal);

    private int? _postmaster;

    public async Task<Reading> ReadAsync(CancellationToken ct)
    {
        var own = Process.GetCurrentProcess().TotalProcessorTime;
        if (_postmaster is null)
        {
            await using var cmd = db.CreateCommand("select pg_backend_pid()");
            var backend = (int)(await cmd.ExecuteScalarAsync(ct))!;
            _postmaster = Stat(backend) is { } stat ? stat.Parent : 0;
        }
        long postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { } stat && (stat.Parent == _postmaster || pid == _postmaster)) postgres += stat.Ticks;
        }
        var (busy, total) = Machine();
        return new Reading(own, TimeSpan.FromSeconds(postgres / TicksPerSecond), busy, total);
    }

    public static (TimeSpan Own, TimeSpan Postgres, TimeSpan Machine, double MachineBusy) Between(Reading a, Reading b)
    {
        var total = b.MachineTotal - a.MachineTotal;
        return (b.Own - a.Own, b.Postgres - a.Postgres, TimeSpan.FromSeconds(total / TicksPerSecond),
            total > 0 ? (double)(b.MachineBusy - a.MachineBusy) / total : 0);
    }

    /// <summary>A process's parent and its user+system CPU ticks, or null when it is gone or unreadable.</summary>
    private static (int Parent, long Ticks)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // After the command name in parentheses: state, ppid, ..., utime (14th field), stime (15th).
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The machine's busy and total CPU ticks since boot (/proc/stat, all cores).</summary>
    private static (long Busy, long Total) Machine()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = cpu[3] + cpu[4];
            // user nice system idle iowait irq softirq steal (guest time is counted in user already)
            var total = cpu.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (0, 0);
        }
    }
}
