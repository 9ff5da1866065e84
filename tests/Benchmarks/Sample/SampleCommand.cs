using System.Diagnostics;
using System.Globalization;
using CaseSystem.Cases.Store.HashChain;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>
/// Loads the national sample into a database of its own, verifies it and drops it: to see the
/// load time and the mix. With --check, runs <see cref="NationalSample.SelfCheckAsync"/> instead
/// (20,000 events unless --events says otherwise).
/// </summary>
internal static class SampleCommand
{
    public const string Usage = "sample [--events N] [--seed S] [--check]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        long? events = null;
        var seed = 1;
        var check = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--events" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n):
                    events = n;
                    i++;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    i++;
                    break;
                case "--check":
                    check = true;
                    break;
                default:
                    return Program.UsageError($"sample: bad option '{args[i]}'" + (value is null ? "" : $" '{value}'"));
            }
        }

        var baseConnection = Program.BaseConnectionString();
        if (baseConnection is null) return 2;

        await using var db = await BenchDatabase.CreateAsync(baseConnection, 4, ct);
        var store = await db.CreateEventStoreAsync(ct: ct);
        var types = EventTypeRegistry.ForRenewalEvents();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# national sample: postgres {db.ServerVersion}, {Environment.ProcessorCount} cores, seed {seed}"));

        if (check) return await NationalSample.SelfCheckAsync(db.DataSource, store, types, seed, events ?? 20_000, Console.Out, ct);

        var stats = await NationalSample.LoadAsync(db.DataSource, types, events ?? 1_000_000, seed, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {stats.From:yyyy-MM-dd} .. {stats.To:yyyy-MM-dd}, digest {stats.Digest[..16]}, at most {stats.PeakCasesInMemory} cases / {stats.PeakEventsInMemory} events in memory"));
        Console.WriteLine("# cases by municipality: " + string.Join(" ", stats.CasesByMunicipality.Select(p => $"{p.Key}={p.Value}")));
        Console.WriteLine("# cases by trait: " + string.Join(" ", stats.CasesByTag.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}({100.0 * p.Value / Math.Max(1, stats.Cases):0.0}%)"))));
        Console.WriteLine("# events by type: " + string.Join(" ", stats.EventsByType.Select(p => $"{p.Key}={p.Value}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sample events={stats.Events} cases={stats.Cases} load_s={stats.Took.TotalSeconds:0.00}"));

        var clock = Stopwatch.StartNew();
        var verification = await new ChainVerifier(db.DataSource).VerifyAllAsync(ct: ct);
        var firstBreak = verification.FirstBreak is { } b ? $" first_break={b.StreamId}/v{b.Version}: {b.Reason}" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# verify streams={verification.StreamsChecked} events={verification.EventsChecked} breaks={verification.Breaks.Count} verify_s={clock.Elapsed.TotalSeconds:0.00}{firstBreak}"));
        return verification.IsIntact && verification.EventsChecked == stats.Events ? 0 : 1;
    }
}
