using System.Diagnostics;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Projections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Benchmarks;

/// <summary>
/// The server as ops/run builds it (the cases' API, Wolverine, the projections), in this process
/// on a real Kestrel port of 127.0.0.1, on a benchmark's database, with a counter clock: the
/// system's time starts at a moment the benchmark chooses (visits are refused outside reception
/// hours) and runs at real speed. Tokens are issued with the server's own key, made for the run.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _keyDir;

    private BenchServer(WebApplication app, DirectoryInfo keyDir, Uri address, TimeProvider clock)
    {
        _app = app;
        _keyDir = keyDir;
        Address = address;
        Clock = clock;
    }

    public Uri Address { get; }

    /// <summary>The server's clock.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Whether the cases' timers fire in this run.</summary>
    public bool Timers { get; private init; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the server on <paramref name="db"/>. <paramref name="configure"/> may change the
    /// configuration and logging before the modules are added (it runs after the defaults here).
    /// </summary>
    public static async Task<BenchServer> StartAsync(string baseConnection, BenchDatabase db, DateTimeOffset clockStart,
        Action<WebApplicationBuilder>? configure, CancellationToken ct, bool timers = true)
    {
        var keyDir = Directory.CreateTempSubdirectory("casesystem-bench-");
        try
        {
            // The content root is the benchmark's own folder: the host watches it (appsettings reload), and
            // the working directory can be the repository, where the bench cluster's data files change all the time.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration["CASES_DB"] = new Npgsql.NpgsqlConnectionStringBuilder(baseConnection) { Database = db.Name }.ConnectionString;
            builder.Configuration["CASES_TOKEN_KEY_FILE"] = Path.Combine(keyDir.FullName, "token.key");
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // The server's console log on stderr: stdout carries the results.
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            var clock = new CounterClock(clockStart, timers);
            builder.Services.AddSingleton<TimeProvider>(clock);
            configure?.Invoke(builder);
            builder.Services.AddCases(builder.Configuration);
            builder.Services.AddProjections(builder.Configuration);
            var app = builder.Build();
            app.UseExceptionHandler();
            app.MapCases();
            app.MapProjections();
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new BenchServer(app, keyDir, new Uri(address), clock) { Timers = timers };
        }
        catch
        {
            keyDir.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>A bearer token for a staff member, valid for two hours of the server's clock.</summary>
    public string Token(string staffId, StaffRole role, string municipality, string office) =>
        Services.GetRequiredService<StaffTokenSigner>().Issue(
            new StaffIdentity(staffId, role, municipality, office, Clock.GetUtcNow().AddHours(2)));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        finally
        {
            _keyDir.Delete(recursive: true);
        }
    }

    /// <summary>Counts from the chosen start at real speed; timers fire at their distance from now on it, or never when off.</summary>
    private sealed class CounterClock(DateTimeOffset start, bool timers) : TimeProvider, CaseSystem.Cases.Timers.ITimerClock
    {
        private static readonly DateTimeOffset Never = new(2999, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly long _started = Stopwatch.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + Stopwatch.GetElapsedTime(_started);

        public DateTimeOffset FireAt(DateTimeOffset due) => timers ? DateTimeOffset.UtcNow + (due - GetUtcNow()) : Never;
    }
}
