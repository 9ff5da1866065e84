using System.Globalization;
using System.Text.Json.Nodes;
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Outbox;
using CaseSystem.CardStation.Server;

namespace CaseSystem.CardStation.Station;

/// <summary>The holder's details the clerk types to open a case: the card gives none of them without the signing PIN.</summary>
public sealed record NewHolder(string NameKanji, string NameKana, DateOnly BirthDate, string RegisteredAddress, DateOnly? SigningExpiry);

/// <summary>What a recording did: the outbox afterwards, and the case as the server has it now (null when it could not be asked).</summary>
public sealed record Recorded(Guid CaseId, string What, OutboxReport Outbox, CaseSummary? Case);

/// <summary>A PIN check and its recording; <see cref="SigningExpiry"/>: the signing certificate's expiry, read in the same connection after the signing PIN matched (null otherwise, or when the card could not give it).</summary>
public sealed record PinChecked(PinKind Kind, PinCheckResult Result, Recorded Recorded, DateOnly? SigningExpiry = null);

/// <summary>
/// One counter's work on one holder: read the card, attach the case (its expiry must be the
/// card's) or open one, record each reading and PIN check through the outbox, and the re-read
/// after the J-LIS terminal renewed the certificates.
/// </summary>
public sealed class CounterSession(ICardTerminal terminal, CaseServer server, DurableOutbox outbox, StationOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public CardReading? Reading { get; private set; }

    public CaseSummary? Case { get; private set; }

    public Guid? CaseId { get; private set; }

    public DurableOutbox Outbox => outbox;

    public CardReading ReadCard(string? reader = null)
    {
        using var card = terminal.Connect(reader ?? ReaderWithCard());
        Reading = card.Read();
        return Reading;
    }

    /// <summary>The only reader, or the first: the counter has one.</summary>
    public string ReaderWithCard() => terminal.ListReaders() is { Count: > 0 } readers ? readers[0]
        : throw new CardException(CardErrorKind.NoReader, "カードリーダーが接続されていません", "no card reader is connected");

    public Task<IReadOnlyList<CaseHit>> FindAsync(CaseQuery query, CancellationToken ct = default) => query.IsEmpty
        ? throw StationArgs.Usage("通知書番号・氏名・生年月日のいずれかで検索してください", "search by notice number, name or birth date")
        : server.FindAsync(query, ct);

    /// <summary>Attaches the case if it shows the card's expiry, and records the card read in it.</summary>
    public async Task<Recorded> AttachAsync(Guid caseId, CancellationToken ct = default)
    {
        await CheckAndAttachAsync(caseId, ct);
        return await RecordCardReadAsync(Reading!, "カード読取り", ct);
    }

    /// <summary>Attaches the case if it shows the card's expiry, recording nothing (the read was recorded before).</summary>
    public async Task<CaseSummary> CheckAndAttachAsync(Guid caseId, CancellationToken ct = default)
    {
        var reading = Reading ?? throw StationException.NoReading();
        var found = await server.GetCaseAsync(caseId, ct);
        if (!found.Matches(reading.UserAuthenticationExpiry))
        {
            throw new StationException("ExpiryMismatch",
                $"カードの有効期限({Ja(reading.UserAuthenticationExpiry)})が案件の有効期限({Ja(found.Expiry.UserAuthenticationExpiry)})と一致しません。別の方の案件かカードの可能性があります。紐付けしませんでした。",
                $"the card's expiry {reading.UserAuthenticationExpiry:yyyy-MM-dd} is not the case's {found.Expiry.UserAuthenticationExpiry:yyyy-MM-dd}: not attached");
        }
        (CaseId, Case) = (caseId, found);
        return found;
    }

    /// <summary>Takes up a case without the expiry check: for the re-read after the renewal, whose new expiry is the point.</summary>
    public void Resume(Guid caseId) => (CaseId, Case) = (caseId, CaseId == caseId ? Case : null);

    /// <summary>The card taken out: the next holder starts afresh.</summary>
    public void Forget() => (Reading, CaseId, Case) = (null, null, null);

    /// <summary>Attaches the one case the search finds; none or several is said plainly.</summary>
    public async Task<Recorded> AttachFoundAsync(CaseQuery query, CancellationToken ct = default)
    {
        var hits = await FindAsync(query, ct);
        return hits.Count switch
        {
            0 => throw new StationException("CaseNotFound", "該当する案件がありません。新規に作成できます。", "no case found; open one"),
            1 => await AttachAsync(hits[0].CaseId, ct),
            _ => throw new StationException("AmbiguousCase", $"該当する案件が{hits.Count}件あります。通知書番号などで絞り込んでください。",
                $"{hits.Count} cases found; narrow the search"),
        };
    }

    /// <summary>Opens a case for the holder of the card read (queued like any observation), then records the read in it.</summary>
    public async Task<Recorded> OpenCaseAsync(NewHolder holder, CancellationToken ct = default)
    {
        var reading = Reading ?? throw StationException.NoReading();
        var key = NewKey();
        var caseId = StationCaseIds.ForCreation(options.Municipality, key);
        var body = new JsonObject
        {
            ["holder"] = new JsonObject
            {
                ["nameKanji"] = holder.NameKanji,
                ["nameKana"] = holder.NameKana,
                ["birthDate"] = Iso(holder.BirthDate),
                ["registeredAddress"] = holder.RegisteredAddress,
            },
            ["expiry"] = new JsonObject
            {
                ["userAuthenticationExpiry"] = Iso(reading.UserAuthenticationExpiry),
                ["signingExpiry"] = holder.SigningExpiry is { } signing ? Iso(signing) : null,
            },
            ["office"] = options.Office,
        };
        outbox.Add(new OutboxEntry(key, options.Municipality, caseId, OutboxEntry.OpenCase, body, _clock.GetUtcNow(), "案件の新規作成"));
        (CaseId, Case) = (caseId, null);
        return await RecordCardReadAsync(reading, "カード読取り", ct);
    }

    /// <summary>
    /// Sends the PIN to the card only, and clears it whatever happens; records the result
    /// (matched, mismatched with the tries left, locked) in the attached case.
    /// </summary>
    public async Task<PinChecked> CheckPinAsync(PinKind kind, PinBuffer pin, CancellationToken ct = default)
    {
        PinCheckResult result;
        DateOnly? signingExpiry = null;
        long seenVersion;
        try
        {
            if (CaseId is null) throw StationException.NotAttached();
            seenVersion = await PinCheckAllowedAsync(kind, ct);
            using var card = terminal.Connect(Reading?.Reader ?? ReaderWithCard());
            try
            {
                result = card.VerifyPin(kind, pin.Span);
            }
            catch (CardException e) when (e.Kind == CardErrorKind.PinLocked)
            {
                result = new PinCheckResult.Locked();
            }
            pin.Clear();
            // The signing certificate is readable only now, in this connection: its expiry for the clerk to see.
            if (kind == PinKind.Signing && result is PinCheckResult.Matched) signingExpiry = SigningExpiryOf(card);
        }
        finally
        {
            pin.Clear();
        }

        var certificate = kind == PinKind.Signing ? "Signing" : "UserAuthentication";
        var (wire, tries, what) = result switch
        {
            PinCheckResult.Matched => ("Matched", MaxTries(kind), "暗証番号一致"),
            PinCheckResult.Mismatched m => ("Mismatched", m.TriesLeft, $"暗証番号不一致(残り{m.TriesLeft}回)"),
            _ => ("Locked", 0, "暗証番号ロック"),
        };
        var body = new JsonObject { ["certificate"] = certificate, ["result"] = wire, ["triesLeft"] = tries };
        return new PinChecked(kind, result, await RecordAsync(OutboxEntry.PinChecks, body, $"{NameJa(kind)}: {what}", ct, seenVersion), signingExpiry);
    }

    /// <summary>
    /// Card and case never disagree (issue 12). A PIN sent to the card is a fact the case must
    /// record: the card's tries fall whether or not the server takes the result. So before any
    /// APDU reaches the card the station asks the server for the case as it is now (after sending
    /// what its outbox holds, so that a case it opened or a read it made is there first) and tries
    /// the PIN only if the case's <c>allowedActions</c> include the PIN check; a case closed as
    /// withdrawn, lapsed or moved out is refused here, the card untouched.
    /// <para>
    /// When the server cannot be reached the station does what it always did with the server away:
    /// it tries the PIN and keeps the result in its outbox, unless the last view it had of the case
    /// already refused the PIN check. Either way the result goes with the version of the view the
    /// station acted on (<c>Observed-Version</c>; 0 for a case it opened and has not seen since):
    /// the server records a PIN check on a case closed after that version, so a closure the station
    /// could not see (another clerk's, or one made during the outage) never leaves the card's tries
    /// outside the case. Nothing the station tries is refused afterwards for the case's state.
    /// </para>
    /// </summary>
    /// <returns>The version of the case view the PIN check is tried on.</returns>
    private async Task<long> PinCheckAllowedAsync(PinKind kind, CancellationToken ct)
    {
        var caseId = CaseId!.Value;
        CaseSummary? now = null;
        var sent = await outbox.SendAsync(server, ct);
        if (sent.ServerReachable && sent.Problem is null)
        {
            try
            {
                now = await server.GetCaseAsync(caseId, ct);
            }
            catch (StationException e) when (e.Kind == "ServerUnreachable")
            {
                // Offline after all: as below.
            }
        }
        if (now is not null)
        {
            Case = now;
        }
        else if (Case?.CaseId != caseId)
        {
            // Offline with no view of this case (one opened here while the server was away): nothing says no.
            return 0;
        }
        var view = Case!;
        if (!view.Allows(OutboxEntry.PinChecks)) throw PinCheckNotAllowed(kind, view);
        return view.Version;
    }

    private static StationException PinCheckNotAllowed(PinKind kind, CaseSummary view)
    {
        var (closureJa, closureEn) = view.Closure switch
        {
            "Withdrawn" => ("取下げ", "withdrawn"),
            "Lapsed" => ("失効", "lapsed"),
            "MovedOut" => ("転出", "moved out"),
            "Renewed" => ("更新済み", "renewed"),
            _ => ((string?)null, (string?)null),
        };
        return view.Status == "closed"
            ? new StationException("PinCheckNotAllowed",
                $"この案件は{(closureJa is null ? "" : $"「{closureJa}」で")}終了しています。{NameJa(kind)}の暗証番号は照合できません。カードには何も送っていません(残り回数は変わりません)。",
                $"the case is closed{(closureEn is null ? "" : $" ({closureEn})")}: no PIN check; nothing was sent to the card, its tries are unchanged")
            : new StationException("PinCheckNotAllowed",
                $"この案件では今、{NameJa(kind)}の暗証番号を照合できません。カードには何も送っていません(残り回数は変わりません)。",
                "the case does not take a PIN check now: nothing was sent to the card, its tries are unchanged");
    }

    /// <summary>The PIN check stands (and is recorded) even if the card gives no certificate after it.</summary>
    private static DateOnly? SigningExpiryOf(IJpkiCard card)
    {
        try
        {
            return card.ReadSigningCertificateExpiry();
        }
        catch (CardException)
        {
            return null;
        }
    }

    /// <summary>After the certificates were renewed on the J-LIS terminal: the card read again, its new expiry recorded as the evidence.</summary>
    public async Task<Recorded> ReReadAfterRenewalAsync(CancellationToken ct = default)
    {
        if (CaseId is null) throw StationException.NotAttached();
        var reading = ReadCard(Reading?.Reader);
        return await RecordCardReadAsync(reading, "更新後のカード再読取り", ct);
    }

    /// <summary>Sends what is pending; the case afterwards when the server answered.</summary>
    public async Task<OutboxReport> SendPendingAsync(CancellationToken ct = default) => await outbox.SendAsync(server, ct);

    private Task<Recorded> RecordCardReadAsync(CardReading reading, string what, CancellationToken ct) => RecordAsync(OutboxEntry.CardReads, new JsonObject
    {
        ["stationId"] = options.StationId,
        ["userAuthenticationSerial"] = reading.UserAuthenticationSerial,
        ["userAuthenticationExpiry"] = Iso(reading.UserAuthenticationExpiry),
        ["userAuthenticationPinTriesLeft"] = reading.UserAuthenticationPinTriesLeft,
        ["signingPinTriesLeft"] = reading.SigningPinTriesLeft,
    }, $"{what}(有効期限 {Ja(reading.UserAuthenticationExpiry)})", ct);

    private async Task<Recorded> RecordAsync(string command, JsonObject body, string what, CancellationToken ct, long? seenVersion = null)
    {
        var caseId = CaseId ?? throw StationException.NotAttached();
        outbox.Add(new OutboxEntry(NewKey(), options.Municipality, caseId, command, body, _clock.GetUtcNow(), what, seenVersion));
        var report = await outbox.SendAsync(server, ct);
        if (report.ServerReachable && report.Pending == 0)
        {
            try
            {
                Case = await server.GetCaseAsync(caseId, ct);
            }
            catch (StationException)
            {
                // Recorded; the view of it can wait for the next look.
            }
        }
        return new Recorded(caseId, what, report, Case);
    }

    private static string NewKey() => "station-" + Guid.CreateVersion7().ToString("N");

    private static int MaxTries(PinKind kind) => kind == PinKind.Signing ? 5 : 3;

    public static string NameJa(PinKind kind) => kind == PinKind.Signing ? "署名用電子証明書" : "利用者証明用電子証明書";

    public static string Ja(DateOnly date) => date.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
