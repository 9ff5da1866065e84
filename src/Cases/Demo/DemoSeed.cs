using CaseSystem.Cases.Api;
using CaseSystem.Cases.Api.Notices;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Demo;

/// <summary>
/// The demo's sample cases: into an empty store, once the server has started, a small J-LIS notice
/// batch per municipality, written the way an import writes it (NoticeWriter: the decider, the
/// timers, the chain), with expiries around the demo clock's today: a renewal window open, one
/// days from its expiry, one lapsed, one not open yet, and a child's card without a signing
/// certificate.
/// </summary>
internal sealed class DemoSeed(IServiceProvider services, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<DemoSeed> logger) : BackgroundService
{
    private static readonly (string Kanji, string Kana)[] Names =
    [
        ("佐藤 一郎", "サトウ イチロウ"), ("髙橋 花子", "タカハシ ハナコ"), ("渡邊 太郎", "ワタナベ タロウ"),
        ("山﨑 美咲", "ヤマザキ ミサキ"), ("齋藤 健", "サイトウ ケン"),
    ];

    private static readonly Dictionary<string, string> Addresses = new()
    {
        ["takatsuki"] = "大阪府高槻市桃園町2番1号", ["saku"] = "長野県佐久市中込3056", ["fujiidera"] = "大阪府藤井寺市岡1丁目1番1号",
        ["hirosaki"] = "青森県弘前市大字上白銀町1番1号", ["kawasaki"] = "神奈川県川崎市中原区小杉町3丁目245番地",
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        await using (var query = services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            if (await query.Events.QueryAllRawEvents().AnyAsync(stoppingToken)) return;
        }
        var today = JapanTime.DateOf(clock.GetUtcNow());
        foreach (var municipality in MunicipalPolicies.All.Keys)
        {
            var notices = Notices(municipality, today);
            var tally = new NoticeImportTally();
            await new NoticeWriter(services, municipality, $"DEMO-{today:yyyyMM}", false, new Actor("demo-seed", null), null, clock)
                .WriteAsync(notices, tally, stoppingToken);
            logger.LogInformation("デモ用の案件を {Count} 件作成しました ({Municipality}) / demo cases created", tally.Imported, municipality);
        }
    }

    private static List<NoticeLine> Notices(string municipality, DateOnly today)
    {
        var address = Addresses.GetValueOrDefault(municipality, "");
        // Days from today to each holder's user-authentication expiry.
        int[] expiresIn = [40, 4, -10, 120];
        var lines = expiresIn.Select((days, i) =>
        {
            var expiry = today.AddDays(days);
            return new NoticeLine(i + 2, $"DEMO-{municipality.ToUpperInvariant()}-{i + 1:D4}",
                new Holder(Names[i].Kanji, Names[i].Kana, new DateOnly(1970 + 5 * i, 4, 1 + i), address),
                new CertificateDates(expiry, expiry));
        }).ToList();
        var childExpiry = today.AddDays(60);
        lines.Add(new NoticeLine(6, $"DEMO-{municipality.ToUpperInvariant()}-0005",
            new Holder(Names[4].Kanji, Names[4].Kana, today.AddYears(-9), address), new CertificateDates(childExpiry, null)));
        return lines;
    }
}
