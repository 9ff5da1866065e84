using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;
using CaseSystem.CardStation.Tests.Station;
using CaseSystem.Cases;
using CaseSystem.Cases.Store;
using Npgsql;

namespace CaseSystem.CardStation.Tests.EndToEnd;

/// <summary>
/// Looks for the test's PINs wherever the system could have written them: every row of every table
/// and view of every schema of the database (events with their JSON data and metadata, timers,
/// projections, audit), and the files of the station's data folder. Reports where by the PIN's
/// label only, never the PIN itself.
/// </summary>
public static partial class PinSearch
{
    /// <summary>UUIDs are taken out before the search: a 4-digit PIN is one of their hex groups now and then by chance.</summary>
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Uuid();

    /// <summary>
    /// The patterns a PIN would show as: the PIN as a word of its own (not inside a longer run of
    /// letters and digits such as a hash in hex), and its ASCII bytes in hex (a bytea column).
    /// </summary>
    public static IEnumerable<string> Patterns(string pin) =>
    [
        $"(^|[^0-9A-Za-z]){Regex.Escape(pin)}([^0-9A-Za-z]|$)",
        Convert.ToHexString(Encoding.ASCII.GetBytes(pin)),
    ];

    /// <summary>Every relation (table, partition, view, materialized view) outside PostgreSQL's own schemas.</summary>
    public static async Task<IReadOnlyList<string>> RelationsAsync(StationDatabase db)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            select quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm')
              and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
            order by 1
            """, connection);
        var relations = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) relations.Add(reader.GetString(0));
        return relations;
    }

    /// <summary>Where in the database each labelled text is found: "label in schema.table".</summary>
    public static async Task<IReadOnlyList<string>> InDatabaseAsync(StationDatabase db, IReadOnlyDictionary<string, string> texts)
    {
        var found = new List<string>();
        var relations = await RelationsAsync(db);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        foreach (var relation in relations)
        {
            foreach (var (label, text) in texts)
            {
                foreach (var pattern in Patterns(text))
                {
                    await using var command = new NpgsqlCommand(
                        $"select count(*) from {relation} t where regexp_replace(t::text, $1, '', 'gi') ~* $2", connection);
                    command.Parameters.Add(new NpgsqlParameter { Value = Uuid().ToString() });
                    command.Parameters.Add(new NpgsqlParameter { Value = pattern });
                    if ((long)(await command.ExecuteScalarAsync())! > 0) found.Add($"{label} in {relation}");
                }
            }
        }
        // The events' JSON on its own as well, as the event store hands it out, with their metadata
        // (Marten's mt_events: the headers jsonb, the staff member, correlation and causation).
        foreach (var (label, text) in texts)
        {
            foreach (var pattern in Patterns(text))
            {
                await using var command = new NpgsqlCommand(
                    $"""
                    select count(*) from {CaseStore.Schema}.mt_events e
                    where regexp_replace(e.data::text || ' ' || coalesce(e.headers::text, '') || ' ' || coalesce(e.user_name, '')
                        || ' ' || coalesce(e.correlation_id, '') || ' ' || coalesce(e.causation_id, ''), $1, '', 'gi') ~* $2
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = Uuid().ToString() });
                command.Parameters.Add(new NpgsqlParameter { Value = pattern });
                if ((long)(await command.ExecuteScalarAsync())! > 0) found.Add($"{label} in the events' JSON");
            }
        }
        return found;
    }

    /// <summary>Where in the text each labelled PIN is found, by the same patterns as in the database.</summary>
    public static IEnumerable<string> InText(string where, string content, IReadOnlyDictionary<string, string> texts)
    {
        var cleaned = Uuid().Replace(content, "");
        return texts.Where(t => Patterns(t.Value).Any(p => Regex.IsMatch(cleaned, p, RegexOptions.IgnoreCase))).Select(t => $"{t.Key} in {where}");
    }

    /// <summary>Asserts that no PIN is in the database nor in the station's data folder, naming only where.</summary>
    public static async Task AssertNoneStoredAsync(StationHarness h, IReadOnlyDictionary<string, string> pins)
    {
        var relations = await RelationsAsync(h.Db);
        // Marten's tables (its dead letters among them), Wolverine's (its stored responses and envelopes), ours beside them, and the read models'.
        Assert.Contains("cases.mt_events", relations);
        Assert.Contains("cases.mt_streams", relations);
        Assert.Contains("cases.case_event_chain", relations);
        Assert.Contains("cases.wolverine_deduplicated_responses", relations);
        Assert.Contains("cases.wolverine_incoming_envelopes", relations);
        Assert.Contains("cases.mt_doc_deadletterevent", relations);
        Assert.Contains("case_finder_v3.cases", relations);
        Assert.Contains("queue_board_v3.tickets", relations);
        Assert.Contains("renewal_report_v3.case_facts", relations);
        Assert.Contains("worklists_v3.cases", relations);
        var found = (await InDatabaseAsync(h.Db, pins)).Concat(InFolder(h.DataFolder, pins)).ToList();
        Assert.True(found.Count == 0, $"a PIN was written down: {string.Join("; ", found)}");
    }

    /// <summary>Every file under the folder (the station's outbox and its set-aside list).</summary>
    public static IEnumerable<string> InFolder(string folder, IReadOnlyDictionary<string, string> texts) => !Directory.Exists(folder) ? []
        : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .SelectMany(file => InText(Path.GetRelativePath(folder, file), File.ReadAllText(file), texts));
}

/// <summary>A console output the test reads while the command still writes: whole lines, waited for.</summary>
public sealed class LiveOutput : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock) _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_lock) _text.Append(value);
    }

    public override string ToString()
    {
        lock (_lock) return _text.ToString();
    }

    public IReadOnlyList<string> Lines => ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits until the output holds <paramref name="text"/> <paramref name="times"/> times.</summary>
    public async Task WaitForAsync(string text, int times = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Count(ToString(), text) < times)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the output did not show \"{text}\" {times} time(s) within the time; it was:\n{ToString()}");
            await Task.Delay(50);
        }
    }

    public static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}

/// <summary>A keyboard and an input line the test types on while the screen runs.</summary>
public sealed class TestKeyboard
{
    private readonly BlockingCollection<ConsoleKeyInfo> _keys = [];
    private readonly ConcurrentQueue<string?> _lines = new();

    public static ConsoleKeyInfo Key(char c) => c switch
    {
        '\r' => new('\r', ConsoleKey.Enter, false, false, false),
        >= '0' and <= '9' => new(c, ConsoleKey.D0 + (c - '0'), false, false, false),
        >= 'a' and <= 'z' => new(c, ConsoleKey.A + (c - 'a'), false, false, false),
        >= 'A' and <= 'Z' => new(c, ConsoleKey.A + (c - 'A'), true, false, false),
        _ => new(c, ConsoleKey.NoName, false, false, false),
    };

    public void Type(string keys)
    {
        foreach (var c in keys) _keys.Add(Key(c));
    }

    /// <summary>Lines for the screen's questions, given before the key that asks them.</summary>
    public void Answer(params string?[] lines)
    {
        foreach (var line in lines) _lines.Enqueue(line);
    }

    public ConsoleKeyInfo ReadKey() => _keys.Take();

    public bool KeyAvailable() => _keys.Count > 0;

    public string? ReadLine() => _lines.TryDequeue(out var line) ? line : null;
}

/// <summary>The station's commands in-process with the real PC/SC terminal factory, and the station harness's settings.</summary>
public static class RealStation
{
    public static readonly DateOnly NoticeExpiry = new(2026, 6, 15);

    /// <summary>23:59:59 in Japan on the date: how J-LIS sets a certificate's notAfter.</summary>
    public static DateTimeOffset EndOfDayInJapan(DateOnly date) => new DateTimeOffset(date, new TimeOnly(23, 59, 59), JapanTime.Offset).ToUniversalTime();

    public sealed record Run(int Exit, IReadOnlyList<JsonElement> Lines, string Out, string Error);

    public static async Task<Run> CommandAsync(StationHarness h, string[] args, string? typed = null, CancellationToken cancel = default)
    {
        var output = new LiveOutput();
        var error = new LiveOutput();
        var keyboard = new TestKeyboard();
        if (typed is not null) keyboard.Type(typed);
        var io = new StationIo(output, error, keyboard.ReadKey, keyboard.KeyAvailable, keyboard.ReadLine, h.Environment(), cancel, Clock: h.Server.Clock);
        var exit = await StationCommands.RunAsync(args, io, CardTerminals.Create);
        return new Run(exit, output.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList(), output.ToString(), error.ToString());
    }

    public static ReaderEventLine Event(JsonElement line) =>
        new(line.GetProperty("event").GetString()!, line.GetProperty("reader").GetString()!, line.GetProperty("atr").GetString());

    public sealed record ReaderEventLine(string Event, string Reader, string? Atr);
}
