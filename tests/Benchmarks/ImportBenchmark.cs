using System.Diagnostics;
using System.Runtime;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Benchmarks;

/// <summary>
/// A J-LIS notice batch as an office's Excel saves it (CP932, dates as 1990/1/1, by default), of
/// N generated lines, imported through the real endpoint (POST /api/{m}/notices) of the server as
/// ops/run builds it (timers and projections on unless CASES_PROJECTIONS says "off"): one case per
/// line, its notice and (nearly always) the renewal window it found open, and the lapse's timer.
/// First a warm-up file of other notices (<see cref="WarmUpAsync"/>), so that the server measured
/// is one that has been running. <c>import lines=N lines/s=X</c> counts from the request sent to
/// the report read; then the same file again (every line already imported) on a '#' line.
/// </summary>
internal static class ImportBenchmark
{
    public const string Usage = "import [--lines N] [--encoding shift_jis|utf-8]";

    private const string Municipality = "kawasaki";

    /// <summary>A weekday morning: the notices expire two to three months later, so no timer falls due during the run.</summary>
    private static readonly DateTimeOffset ClockStart = new(2026, 3, 16, 9, 0, 0, JapanTime.Offset);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var lines = 100_000;
        var encoding = "shift_jis";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--lines" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 300_000:
                    lines = n;
                    i++;
                    break;
                case "--encoding" when value is "shift_jis" or "utf-8":
                    encoding = value;
                    i++;
                    break;
                default:
                    return Program.UsageError($"import: bad option '{args[i]}'");
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        await using var bench = await BenchDatabase.CreateAsync(conn, 32, ct);
        await using var server = await BenchServer.StartAsync(conn, bench, ClockStart, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("CaseSystem.Cases.Api.Notices.NoticeImport", LogLevel.Information);
        }, ct);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token("clerk-bench", StaffRole.Clerk, Municipality, "mynumber-card-center"));

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var codePage = encoding == "shift_jis" ? Encoding.GetEncoding(932) : Encoding.UTF8;
        var bytes = codePage.GetBytes(File(lines, JapanTime.DateOf(ClockStart), "KWS-2026-"));
        await WarmUpAsync(http, bench, codePage.GetBytes(File(WarmUpLines, JapanTime.DateOf(ClockStart), "KWS-2025-")), ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {lines:N0} lines, {bytes.Length / 1e6:0.0} MB {encoding}, into {Municipality}; projections {(string.Equals(Environment.GetEnvironmentVariable("CASES_PROJECTIONS"), "off", StringComparison.OrdinalIgnoreCase) ? "off" : "on")}; " +
            $"{Environment.ProcessorCount} cores; load average {RebuildBenchmark.LoadAverage()}; {HostSpeed.Describe()}"));

        var cpu = new CpuMeter(bench.DataSource);
        var counting = await StatementStats.ResetAsync(bench.DataSource, ct);
        var before = await cpu.ReadAsync(ct);
        var (first, seconds) = await ImportAsync(http, bytes, ct);
        var after = await cpu.ReadAsync(ct);
        await StatementStats.PrintAsync(bench.DataSource, counting, 16, ct);
        if (first.GetProperty("imported").GetInt32() != lines)
        {
            Console.Error.WriteLine($"import: expected {lines} imported, the report says {first}");
            return 1;
        }
        var (own, postgres, _, busy) = CpuMeter.Between(before, after);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {seconds:0.0} s; CPU per line: server process {own.TotalMilliseconds * 1000 / lines:0} µs, PostgreSQL {postgres.TotalMilliseconds * 1000 / lines:0} µs; " +
            $"machine busy {busy:P0}; load average {RebuildBenchmark.LoadAverage()}"));

        var (again, againSeconds) = await ImportAsync(http, bytes, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# the same file again: {again.GetProperty("alreadyImported").GetInt32():N0} already imported in {againSeconds:0.0} s, lines/s={lines / againSeconds:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"import lines={lines} lines/s={lines / seconds:0}"));
        return 0;
    }

    /// <summary>Lines of the warm-up file: enough for tiered compilation to reach every hot path of the import and the read models.</summary>
    private const int WarmUpLines = 10_000;

    private static readonly TimeSpan MaxSettling = TimeSpan.FromSeconds(90);
    private const int JitSettledBelow = 20;

    /// <summary>
    /// A first import into the server just started, measured on a '#' line; then a wait until the
    /// read models have caught up with it and the JIT has settled, as in ops/bench http. A server
    /// that imports a monthly batch has been up for days: on this 2-core machine, a measured
    /// import that starts with the server spends a tenth of the machine's CPU in tiered
    /// compilation (perf, 2026-12-02: the '.NET Tiered Compilation' thread at 9.6 % of all samples
    /// during the import, with hot paths still running their first, unoptimised code).
    /// </summary>
    private static async Task WarmUpAsync(HttpClient http, BenchDatabase bench, byte[] bytes, CancellationToken ct)
    {
        var (report, seconds) = await ImportAsync(http, bytes, ct);
        if (report.GetProperty("imported").GetInt32() != WarmUpLines) throw new InvalidOperationException($"warm-up: expected {WarmUpLines} imported, the report says {report}");
        var waited = Stopwatch.GetTimestamp();
        var compiled = JitInfo.GetCompiledMethodCount();
        var (jit, behind) = (0L, "");
        while (Stopwatch.GetElapsedTime(waited) < MaxSettling)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var now = JitInfo.GetCompiledMethodCount();
            (jit, compiled) = (now - compiled, now);
            behind = await ReadModelsBehindAsync(bench, ct);
            if (jit < JitSettledBelow && behind.Length == 0) break;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# warm-up: {WarmUpLines:N0} lines into the server just started, lines/s={WarmUpLines / seconds:0}; then {Stopwatch.GetElapsedTime(waited).TotalSeconds:0} s " +
            $"until the read models had caught up and fewer than {JitSettledBelow} methods were JIT-compiled in a second (at most {MaxSettling.TotalSeconds:0} s; " +
            $"last second: {jit} compiled{(behind.Length == 0 ? "" : ", behind: " + behind)})"));
    }

    /// <summary>The projection shards that have not applied the whole log, with their progress ("" when none).</summary>
    private static async Task<string> ReadModelsBehindAsync(BenchDatabase bench, CancellationToken ct)
    {
        await using var command = bench.DataSource.CreateCommand(
            "select coalesce(string_agg(p.name || ' at ' || p.last_seq_id || ' of ' || m.seq, ', '), '') from cases.mt_event_progression p " +
            "cross join (select coalesce(max(seq_id), 0) as seq from cases.mt_events) m where p.name not like 'HighWater%' and p.last_seq_id < m.seq");
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<(JsonElement Report, double Seconds)> ImportAsync(HttpClient http, byte[] bytes, CancellationToken ct)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync($"/api/{Municipality}/notices?batch=JLIS-2026-06", content, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"import answered {(int)response.StatusCode}: {body}");
        return (JsonDocument.Parse(body).RootElement.Clone(), seconds);
    }

    private static readonly string[] Surnames = ["佐藤", "鈴木", "髙橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"];
    private static readonly string[] SurnamesKana = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ", "ヤマダ", "ササキ", "ヤマグチ", "マツモト", "イノウエ", "キムラ", "ハヤシ", "サイトウ", "シミズ"];
    private static readonly string[] Given = ["一郎", "花子", "太郎", "美咲", "翔太", "陽菜", "大輔", "﨑子", "健", "結衣"];
    private static readonly string[] GivenKana = ["イチロウ", "ハナコ", "タロウ", "ミサキ", "ショウタ", "ヒナ", "ダイスケ", "サキコ", "ケン", "ユイ"];
    private static readonly string[] Wards = ["川崎区", "幸区", "中原区", "高津区", "宮前区", "多摩区", "麻生区"];

    /// <summary>
    /// The batch: a header and one line per notice, as Excel writes it (CRLF, dates 1990/1/1, a
    /// quoted address now and then), for certificates expiring two to three months from
    /// <paramref name="today"/>, when J-LIS mails the notices (004): nearly all in their renewal window.
    /// </summary>
    private static string File(int lines, DateOnly today, string numberPrefix)
    {
        var random = new Random(12);
        var csv = new StringBuilder("notice_number,name_kanji,name_kana,birth_date,registered_address,user_authentication_expiry,signing_expiry\r\n", lines * 120);
        for (var i = 1; i <= lines; i++)
        {
            var (s, g) = (random.Next(Surnames.Length), random.Next(Given.Length));
            var birth = new DateOnly(1940, 1, 1).AddDays(random.Next(365 * 70));
            var expiry = today.AddDays(61 + random.Next(32));
            var child = birth.Year >= 2012;
            var address = $"神奈川県川崎市{Wards[random.Next(Wards.Length)]}{random.Next(1, 9)}丁目{random.Next(1, 30)}番{random.Next(1, 20)}号";
            // As Excel writes a cell split with Alt+Enter: quoted, the building on a line of its own.
            if (i % 10 == 0) address = $"\"{address}\nサンプルマンション{random.Next(101, 999)}号室\"";
            csv.Append(CultureInfo.InvariantCulture, $"{numberPrefix}{i:D7},{Surnames[s]} {Given[g]},{SurnamesKana[s]} {GivenKana[g]},")
               .Append(CultureInfo.InvariantCulture, $"{birth:yyyy/M/d},{address},{expiry:yyyy/M/d},{(child ? "" : expiry.ToString("yyyy/M/d", CultureInfo.InvariantCulture))}\r\n");
        }
        return csv.ToString();
    }
}
