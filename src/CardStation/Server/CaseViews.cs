namespace CaseSystem.CardStation.Server;

public sealed record CaseQuery(string? NoticeNumber = null, string? Name = null, DateOnly? BirthDate = null)
{
    public bool IsEmpty => NoticeNumber is null && Name is null && BirthDate is null;
}

public sealed record ChecklistItem(string Code, string Ja, string En);

/// <summary>A case the finder found (GET /cases?…).</summary>
public sealed record CaseHit(Guid CaseId, string? NoticeNumber, string NameKanji, string NameKana, DateOnly BirthDate, string Status,
    DateOnly UserAuthenticationExpiry, ChecklistItem? NextStep);

public sealed record HolderView(string NameKanji, string NameKana, DateOnly BirthDate);

public sealed record ExpiryView(DateOnly UserAuthenticationExpiry, DateOnly? SigningExpiry);

public sealed record CardShownView(string Serial, DateOnly UserAuthenticationExpiry, DateTimeOffset ReadAt, bool AfterRenewal);

public sealed record PinView(int? TriesLeft, bool Locked);

/// <summary>
/// The case as the station needs it (GET /cases/{id}); the server sends more. <see cref="AllowedActions"/>: the
/// commands the case takes now, by their paths (<c>pin-checks</c>, <c>card-reads</c>, …); <see cref="Closure"/>: how it was closed.
/// </summary>
public sealed record CaseSummary(Guid CaseId, long Version, string Status, string? NoticeNumber, HolderView Holder, ExpiryView Expiry,
    DateOnly? RenewedUntil, CardShownView? Card, IReadOnlyDictionary<string, PinView>? Pins, IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<string>? AllowedActions = null, string? Closure = null)
{
    /// <summary>Whether the case takes the command now (the server's <c>allowedActions</c>).</summary>
    public bool Allows(string command) => AllowedActions?.Contains(command) == true;

    /// <summary>The card belongs to this case when it shows the case's expiry, or the new one after the renewal.</summary>
    public bool Matches(DateOnly cardExpiry) => cardExpiry == Expiry.UserAuthenticationExpiry || cardExpiry == RenewedUntil;
}
