namespace CaseSystem.CardStation.Server;

/// <summary>What the server did with one outbox entry.</summary>
public abstract record SendOutcome
{
    private SendOutcome() { }

    public sealed record Sent(bool Replayed) : SendOutcome;

    /// <summary>A rule or the request refused (4xx but auth): sending it again would give the same answer.</summary>
    public sealed record Refused(int Status, string? Type, string Title, string? Detail) : SendOutcome;

    /// <summary>The token was refused (401, 403): every entry would be; keep them until it is fixed.</summary>
    public sealed record NotAllowed(int Status, string Title) : SendOutcome;

    /// <summary>No answer, or the server failing (5xx, 408, 429): try again later; <paramref name="RetryAfter"/>: when the server said to.</summary>
    public sealed record Unreachable(string Reason, TimeSpan? RetryAfter = null) : SendOutcome;
}
