using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime;
using System.Text.Json;
using System.Text.Json.Serialization;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

using CaseSystem.Tests.Shared;
namespace CaseSystem.Benchmarks;

/// <summary>
/// Clerks at the counters of the five municipalities, working the server through its HTTP API
/// as ops/run runs it (Production, the server's own logging settings, timers and projections on
/// unless CASES_PROJECTIONS says "off"), against plain single-row inserts by as
/// many writers into a bare table of the same database:
/// <c>http clients=N commands/s=X p50_ms=A p99_ms=B raw_insert/s=Y ratio=R</c>.
/// <para>
/// Each client is a clerk of one office (the offices open at the counter clock's hour, from the
/// policy profiles), who opens a case of their own (POST /api/{m}/cases), takes a reservation where
/// the municipality requires one, and then, once or twice: the arrival, the call to the counter,
/// the visit with identity documents the municipality accepts (the holder, or now and then a proxy
/// with the sealed reply form), the PIN checks of both certificates (now and then a mismatch
/// first), the end of the visit; then the next case. Every command carries an Idempotency-Key;
/// the visit, PIN and end commands of most cases carry If-Match with the ETag of the clerk's last
/// answer. One case in four is opened inside its renewal window, so its window timer falls due a
/// second later and fires (with timers on) while the clerk works: those cases go without If-Match,
/// as a client that does not ask for optimistic concurrency, whose lost race the server decides again.
/// </para>
/// <para>
/// Measured: 2xx answers completed in the window after the warm-up, per second, and their latency
/// (request sent to body read). Any other answer is a refusal, counted and listed apart (expected: none).
/// Raw inserts are measured as the append benchmark measures them, half the time before the clients
/// run and half after, averaged, so both see the same drift of the machine.
/// </para>
/// </summary>
internal static class HttpBenchmark
{
    public const string Usage = "http [--clients N] [--seconds S] [--warmup S (at least; then until the JIT settles)] [--server-db-options 'Npgsql options;…']";

    /// <summary>A Monday morning at the counter (no holiday), running at real speed.</summary>
    private static readonly DateTimeOffset CounterClockStart = new(2026, 3, 16, 10, 0, 0, JapanTime.Offset);

    private static readonly TimeSpan MaxJitSettling = TimeSpan.FromSeconds(60);
    private const int JitSettledBelow = 20;

    private static readonly string[] Slugs = OpenDesks.Municipalities;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var clients = 16;
        var seconds = 20.0;
        var warmup = 5.0;
        // Added to the server's connection string only (the raw writers keep theirs), to measure a setting of the deployment.
        string? serverDbOptions = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--clients" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is > 0 and <= 200:
                    clients = c;
                    i++;
                    break;
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 3600:
                    seconds = s;
                    i++;
                    break;
                case "--warmup" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w >= 0 && w <= 600:
                    warmup = w;
                    i++;
                    break;
                case "--server-db-options" when !string.IsNullOrWhiteSpace(value):
                    serverDbOptions = value;
                    i++;
                    break;
                default:
                    return Program.UsageError($"http: bad option '{args[i]}'" + (value is null ? "" : $" '{value}'"));
            }
        }
        if (Program.BaseConnectionString() is not { } conn) return 2;

        // The whole run, with room for the server's start and the raw inserts, stays inside reception hours.
        var runSpan = TimeSpan.FromSeconds(warmup + 2 * seconds) + TimeSpan.FromMinutes(10);
        var desks = OpenDesks.From(CounterClockStart, runSpan);

        await using var db = await BenchDatabase.CreateAsync(conn, Math.Max(64, clients + 8), ct);
        var logs = new LogCounter();
        string? logLevel = null;
        var serverConnection = conn;
        if (serverDbOptions is not null)
        {
            try
            {
                serverConnection = new Npgsql.NpgsqlConnectionStringBuilder(conn + ";" + serverDbOptions).ConnectionString;
            }
            catch (ArgumentException e)
            {
                return Program.UsageError($"http: --server-db-options: {e.Message}");
            }
        }
        await using var server = await BenchServer.StartAsync(serverConnection, db, CounterClockStart, builder =>
        {
            // The server's appsettings.json, under the environment (as for ops/run: Logging__LogLevel__Default=… overrides it).
            builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
            {
                Path = "server.appsettings.json",
                Optional = false,
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            });
            builder.Logging.AddProvider(logs);
            logLevel = builder.Configuration["Logging:LogLevel:Default"];
        }, ct);
        var config = (IConfiguration)server.Services.GetService(typeof(IConfiguration))!;
        var timers = server.Timers;
        var projections = !string.Equals(config["CASES_PROJECTIONS"], "off", StringComparison.OrdinalIgnoreCase);

        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# http benchmark: postgres {db.ServerVersion}, {Environment.ProcessorCount} cores, load average {LoadAverage()}, {clients} clients, warm-up {warmup:0.###}s, measured {seconds:0.###}s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# server in this process: Production, log level {logLevel ?? "(default)"}, timers {(timers ? "on" : "off")}, projections {(projections ? "on" : "off")}, server connection options: {serverDbOptions ?? "(none)"}; counters: {string.Join(", ", desks.Select(d => $"{d.Municipality}/{d.Office}"))}"));

        // Wolverine generates and compiles each endpoint's code on its first hit: one journey per
        // municipality, one after the other, before anything is measured.
        var first = Stopwatch.GetTimestamp();
        var firstClerks = Enumerable.Range(0, Slugs.Length)
            .Select(i => new Clerk(1000 + i, desks.First(d => d.Municipality == Slugs[i]), server, handler, () => false))
            .ToList();
        foreach (var clerk in firstClerks) await clerk.CaseAsync(ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# first journeys (one per municipality, {firstClerks.Sum(c => c.Sent)} commands, endpoints compiled on first hit): {Stopwatch.GetElapsedTime(first).TotalMilliseconds:0} ms"));

        await AppendBenchmark.CreateRawTableAsync(db, ct);
        var registry = AppendBenchmark.RawRegistry();
        var half = TimeSpan.FromSeconds(seconds / 2);
        var rawBefore = await AppendBenchmark.MeasureAsync(clients, half, w => AppendBenchmark.RawWriter(db.DataSource, registry, w), ct);

        var stop = 0;
        var clerks = Enumerable.Range(0, clients)
            .Select(i => new Clerk(i, desks[i % desks.Count], server, handler, () => Volatile.Read(ref stop) != 0))
            .ToList();
        var all = Task.WhenAll(clerks.Select(c => Task.Run(() => c.RunAsync(ct), CancellationToken.None)));
        long windowStart, windowEnd;
        LogCounter.Counts logCounts;
        var cpu = new CpuMeter(db.DataSource);
        CpuMeter.Reading cpuStart, cpuEnd;
        (long Methods, TimeSpan Time) jitStart, jitEnd;
        using var jitTally = new JitTally();
        var counting = false;
        try
        {
            await AppendBenchmark.WaitAsync(all, TimeSpan.FromSeconds(warmup), ct);
            // Then until the JIT has settled: tiered compilation recompiles the hot paths for a while
            // (on a busy 2-core machine its background thread lags by tens of seconds), and a window
            // that catches it measures the JIT more than the server.
            var warm = Stopwatch.GetTimestamp();
            var compiled = JitInfo.GetCompiledMethodCount();
            while (Stopwatch.GetElapsedTime(warm) < MaxJitSettling)
            {
                await AppendBenchmark.WaitAsync(all, TimeSpan.FromSeconds(1), ct);
                var now = JitInfo.GetCompiledMethodCount();
                var settled = now - compiled < JitSettledBelow;
                compiled = now;
                if (settled) break;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# warm-up: {warmup:0.###}s, then {Stopwatch.GetElapsedTime(warm).TotalSeconds:0}s more until fewer than {JitSettledBelow} methods were JIT-compiled in a second (at most {MaxJitSettling.TotalSeconds:0}s)"));
            jitStart = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
            jitTally.Counting = true;
            counting = await StatementStats.ResetAsync(db.DataSource, ct);
            cpuStart = await cpu.ReadAsync(ct);
            windowStart = Stopwatch.GetTimestamp();
            logs.Restart();
            await AppendBenchmark.WaitAsync(all, TimeSpan.FromSeconds(seconds), ct);
            windowEnd = Stopwatch.GetTimestamp();
            logCounts = logs.Snapshot();
            cpuEnd = await cpu.ReadAsync(ct);
            jitEnd = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
            jitTally.Counting = false;
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            await all; // every clerk finishes the command in flight; a failed one throws here
        }

        // Before the raw inserts that follow, so that the window's statements are what is counted.
        await StatementStats.PrintAsync(db.DataSource, counting, 8, ct);
        var rawAfter = await AppendBenchmark.MeasureAsync(clients, half, w => AppendBenchmark.RawWriter(db.DataSource, registry, w), ct);
        var raw = (rawBefore + rawAfter) / 2;

        var inWindow = clerks.SelectMany(c => c.Accepted).Where(a => a.End >= windowStart && a.End <= windowEnd).ToList();
        var window = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
        var rate = inWindow.Count / window;
        var latencies = inWindow.Select(a => Stopwatch.GetElapsedTime(0, a.Ticks).TotalMilliseconds).Order().ToList();
        if (latencies.Count == 0) throw new InvalidOperationException("no command was accepted in the measured window");
        var refusals = firstClerks.Concat(clerks).SelectMany(c => c.Refusals).ToList();
        var sent = firstClerks.Concat(clerks).Sum(c => c.Sent);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# measured window: {inWindow.Count} commands accepted in {window:0.00}s ({string.Join(", ", inWindow.GroupBy(a => a.Command).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}); " +
            $"p90_ms={Percentile(latencies, 0.90):0.0} max_ms={latencies[^1]:0.0}; cases opened over the run: {clerks.Sum(c => c.Cases)}"));
        var (own, postgres, machine, machineBusy) = CpuMeter.Between(cpuStart, cpuEnd);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# CPU per accepted command in the window: {own.TotalMilliseconds / inWindow.Count:0.00} ms this process (server and clients), " +
            $"{postgres.TotalMilliseconds / inWindow.Count:0.00} ms PostgreSQL (bench cluster); machine busy {machineBusy:P0} of {machine.TotalSeconds:0.0} core-seconds, " +
            $"this process and the bench cluster {(own + postgres) / machine:P0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# JIT in the window: {jitEnd.Methods - jitStart.Methods} methods compiled, {(jitEnd.Time - jitStart.Time).TotalMilliseconds:0} ms"));
        var (jitTop, jitDistinct) = jitTally.Top(8);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# JIT in the window, {jitDistinct} distinct methods; most compiled: {string.Join("; ", jitTop.Select(m => $"{m.Method} ×{m.Times}"))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# JIT in the window by namespace: {string.Join("; ", jitTally.ByNamespace(12).Select(g => $"{g.Namespace} {g.Times}"))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# raw inserts by {clients} writers: {rawBefore:0}/s before the clients, {rawAfter:0}/s after"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# refusals={refusals.Count} of {sent} commands sent (first journeys, warm-up and window)"));
        foreach (var kind in refusals.GroupBy(r => r).OrderByDescending(g => g.Count()).Take(10))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#   refused ×{kind.Count()}: {kind.Key}"));
        }
        var loudest = string.Join(", ", logCounts.ByCategory.OrderByDescending(c => c.Value).Take(3).Select(c => $"{c.Key} ({c.Value})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# server log messages in the measured window: {logCounts.Total} ({logCounts.Total / window:0.0}/s){(logCounts.Total == 0 ? "" : "; most from " + loudest)}"));
        await using (var count = db.DataSource.CreateCommand(
            $"select count(*), count(*) filter (where type = 'RenewalWindowOpened') from {CaseStore.Schema}.mt_events"))
        await using (var reader = await count.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# {reader.GetInt64(0)} events in the store at the end, {reader.GetInt64(1)} of them appended by a timer (renewal window opened)"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"http clients={clients} commands/s={rate:0} p50_ms={Percentile(latencies, 0.50):0.0} p99_ms={Percentile(latencies, 0.99):0.0} raw_insert/s={raw:0} ratio={(raw > 0 ? rate / raw : 0):0.00}"));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>The machine's 1-minute load average (Linux), for the reader of the figures.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>A counter where a clerk works: the municipality's policy, an office open for the whole run.</summary>

    internal sealed record Sample(string Command, long End, long Ticks);

    /// <summary>One clerk at one counter: a case after another, each command timed; bounded by the stop signal.</summary>
    private sealed class Clerk
    {
        private const string MyNumberCard = "my-number-card";

        private readonly Desk _desk;
        private readonly TimeProvider _clock;
        private readonly HttpClient _http;
        private readonly Func<bool> _stopping;
        private readonly Random _random;
        private readonly string _staffId;
        private readonly int _index;
        private readonly List<IdentityDocumentKind> _listA;
        private readonly List<IdentityDocumentKind> _listB;
        private readonly bool _proxies;
        private int _ticket;
        private string? _etag;
        private string? _location;

        public Clerk(int index, Desk desk, BenchServer server, HttpMessageHandler handler, Func<bool> stopping)
        {
            _index = index;
            _desk = desk;
            _clock = server.Clock;
            _stopping = stopping;
            _random = new Random(index * 7919 + 17);
            _staffId = string.Create(CultureInfo.InvariantCulture, $"clerk-{index + 1:00}");
            _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token(_staffId, StaffRole.Clerk, desk.Municipality, desk.Office));
            _listA = desk.Policy.IdentityDocuments.Where(d => d.List == IdentityDocumentList.A && d.Code != MyNumberCard).ToList();
            _listB = desk.Policy.IdentityDocuments.Where(d => d.List == IdentityDocumentList.B).ToList();
            // A proxy shows one document of list A; where that is not enough, this clerk sees no proxies.
            _proxies = _listA.Count > 0 && desk.Policy.AcceptsProxyIdentity([_listA[0].Code]);
        }

        public List<Sample> Accepted { get; } = [];

        /// <summary>Every answer other than 2xx: status, command and problem type (no body: it could name a holder).</summary>
        public List<string> Refusals { get; } = [];

        public int Sent { get; private set; }

        public int Cases { get; private set; }

        public async Task RunAsync(CancellationToken ct)
        {
            while (!_stopping())
            {
                await CaseAsync(ct);
            }
        }

        /// <summary>One case from its opening to the end of its last visit; given up at the first refusal or when told to stop.</summary>
        public async Task CaseAsync(CancellationToken ct)
        {
            var m = _desk.Municipality;
            var office = _desk.Office;
            var today = JapanTime.DateOf(_clock.GetUtcNow());
            // One case in four inside its renewal window (recorded with the opening), the others months before it.
            var timerDue = _random.Next(4) == 0;
            var expiry = today.AddDays(timerDue ? _random.Next(20, 80) : _random.Next(120, 400));
            var (family, given) = (FamilyNames[_random.Next(FamilyNames.Length)], GivenNames[_random.Next(GivenNames.Length)]);
            var holder = new
            {
                nameKanji = family.Kanji + " " + given.Kanji,
                nameKana = family.Kana + " " + given.Kana,
                birthDate = new DateOnly(1950 + _random.Next(55), 1 + _random.Next(12), 1 + _random.Next(28)),
                registeredAddress = string.Create(CultureInfo.InvariantCulture, $"{_desk.Policy.NameJa}本町{1 + _random.Next(9)}丁目{1 + _random.Next(30)}番{1 + _random.Next(20)}号"),
            };
            _etag = null;
            if (!await SendAsync("open", $"/api/{m}/cases", new { holder, expiry = new { userAuthenticationExpiry = expiry, signingExpiry = expiry }, office }, false, ct)) return;
            Cases++;
            var path = _location!;
            var ifMatch = !timerDue;

            if (_desk.Policy.Reservation.Required)
            {
                var slot = _clock.GetUtcNow().AddMinutes(30);
                if (!await SendAsync("reservation", path + "/reservations", new { office, slotStart = slot }, false, ct)) return;
            }

            var visits = _random.Next(4) == 0 ? 2 : 1;
            for (var visit = 1; visit <= visits; visit++)
            {
                var ticket = string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + _index % 26)}-{++_ticket}");
                if (_stopping() || !await SendAsync("arrival", path + "/arrivals", new { office, ticketNumber = ticket }, false, ct)) return;
                if (_stopping() || !await SendAsync("call", path + "/calls",
                        new { office, counter = string.Create(CultureInfo.InvariantCulture, $"{1 + _index % 3}番窓口"), clerkId = _staffId }, false, ct)) return;
                if (_stopping() || !await SendAsync("visit", path + "/visits", VisitBody(today), ifMatch, ct)) return;
                // The clerk's terminal reads the PIN check's result from the card: it carries no PIN.
                if (_random.Next(7) == 0)
                {
                    if (_stopping() || !await SendAsync("pin-check", path + "/pin-checks",
                            new { certificate = Certificate.UserAuthentication, result = PinCheckResult.Mismatched, triesLeft = 2 }, ifMatch, ct)) return;
                }
                if (_stopping() || !await SendAsync("pin-check", path + "/pin-checks",
                        new { certificate = Certificate.UserAuthentication, result = PinCheckResult.Matched, triesLeft = 3 }, ifMatch, ct)) return;
                if (_stopping() || !await SendAsync("pin-check", path + "/pin-checks",
                        new { certificate = Certificate.Signing, result = PinCheckResult.Matched, triesLeft = 5 }, ifMatch, ct)) return;
                var outcome = visit < visits ? VisitOutcome.MustReturn : VisitOutcome.Done;
                if (_stopping() || !await SendAsync("end", path + "/visits/current/end", new { outcome }, ifMatch, ct)) return;
            }
        }

        private object VisitBody(DateOnly today)
        {
            var a = _listA[_random.Next(_listA.Count)];
            if (_proxies && _random.Next(6) == 0)
            {
                // A proxy with the holder's sealed reply form, the holder's card and their own document of list A.
                var documents = new List<PresentedDocument> { Shown(a, DocumentOwner.Representative, today) };
                if (_desk.Policy.Document(MyNumberCard) is { } card) documents.Add(Shown(card, DocumentOwner.Holder, today));
                return new { office = _desk.Office, whoCame = WhoCame.AppointedProxy, documents, replyForm = ReplyForm.Sealed };
            }
            var shown = new List<PresentedDocument> { Shown(a, DocumentOwner.Holder, today) };
            if (_listB.Count > 0 && _random.Next(2) == 0) shown.Add(Shown(_listB[_random.Next(_listB.Count)], DocumentOwner.Holder, today));
            return new { office = _desk.Office, whoCame = WhoCame.Holder, documents = shown };
        }

        private PresentedDocument Shown(IdentityDocumentKind kind, DocumentOwner owner, DateOnly today) => new(
            kind.Code,
            owner,
            kind.IssuedOnOrAfter is { } since ? since.AddDays(_random.Next(365)) : null,
            kind.List == IdentityDocumentList.A ? today.AddDays(30 + _random.Next(1800)) : null);

        /// <summary>Sends one command with a fresh Idempotency-Key (and If-Match when asked and known); true when accepted.</summary>
        private async Task<bool> SendAsync(string command, string path, object body, bool ifMatch, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            if (ifMatch && _etag is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(_etag));
            Sent++;
            var start = Stopwatch.GetTimestamp();
            using var response = await _http.SendAsync(request, ct);
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            var end = Stopwatch.GetTimestamp();
            if (response.IsSuccessStatusCode)
            {
                Accepted.Add(new Sample(command, end, end - start));
                _etag = response.Headers.ETag?.Tag;
                if (response.Headers.Location is { } location) _location = location.ToString();
                return true;
            }
            Refusals.Add(string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {command} {ProblemType(answer)}"));
            return false;
        }

        private static string ProblemType(byte[] answer)
        {
            try
            {
                using var problem = JsonDocument.Parse(answer);
                return problem.RootElement.TryGetProperty("type", out var type) ? type.GetString() ?? "?" : "(no type)";
            }
            catch (JsonException)
            {
                return "(not a problem document)";
            }
        }

        private static readonly (string Kanji, string Kana)[] FamilyNames =
            [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ")];

        private static readonly (string Kanji, string Kana)[] GivenNames =
            [("一郎", "イチロウ"), ("花子", "ハナコ"), ("健太", "ケンタ"), ("美咲", "ミサキ"), ("翔太", "ショウタ"), ("陽子", "ヨウコ"), ("大輔", "ダイスケ"), ("恵", "メグミ")];
    }

    /// <summary>Counts the server's log messages that pass its filters (what its console would write), by category.</summary>
    private sealed class LogCounter : ILoggerProvider
    {
        private ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

        public sealed record Counts(long Total, IReadOnlyDictionary<string, long> ByCategory);

        public void Restart() => Volatile.Write(ref _counts, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));

        public Counts Snapshot()
        {
            var counts = new Dictionary<string, long>(Volatile.Read(ref _counts), StringComparer.Ordinal);
            return new Counts(counts.Values.Sum(), counts);
        }

        public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Counter(LogCounter owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                Volatile.Read(ref owner._counts).AddOrUpdate(category, 1, (_, n) => n + 1);
        }
    }
}
