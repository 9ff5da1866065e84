using System.Text.Json.Nodes;

namespace CaseSystem.CardStation.Outbox;

/// <summary>
/// One observation to record in a case: the command (<see cref="OpenCase"/>, <see cref="CardReads"/>,
/// <see cref="PinChecks"/>), its body, and the Idempotency-Key made once when it was observed and
/// sent with every retry. Holds no PIN and no My Number: the card never gives the station either.
/// </summary>
/// <param name="SeenVersion">For a PIN check: the version of the case view the station acted on when it sent the PIN to the card (sent as <c>Observed-Version</c>).</param>
public sealed record OutboxEntry(string IdempotencyKey, string Municipality, Guid CaseId, string Command, JsonObject Body, DateTimeOffset ObservedAt, string What,
    long? SeenVersion = null)
{
    public const string OpenCase = "open-case";
    public const string CardReads = "card-reads";
    public const string PinChecks = "pin-checks";

    /// <summary>The API path the entry is posted to.</summary>
    public string Path => Command == OpenCase ? $"/api/{Municipality}/cases" : $"/api/{Municipality}/cases/{CaseId}/{Command}";
}

/// <summary>An entry the server refused by a rule (4xx): never retried, shown to the clerk.</summary>
public sealed record SetAsideEntry(OutboxEntry Entry, int Status, string? ProblemType, string Title, string? Detail, DateTimeOffset SetAsideAt);

/// <summary>What one send of the outbox did; <paramref name="RetryAfter"/>: when the server, failing, said to try again.</summary>
public sealed record OutboxReport(int Sent, IReadOnlyList<SetAsideEntry> SetAside, int Pending, bool ServerReachable, string? Problem, TimeSpan? RetryAfter = null)
{
    public string StatusJa => !ServerReachable
        ? $"サーバーに接続できません。未送信 {Pending} 件を保存しています。 / Server unreachable: {Pending} pending."
        : Problem is not null ? $"{Problem} 未送信 {Pending} 件。"
        : Pending == 0 ? "送信済みです。 / All sent." : $"未送信 {Pending} 件。 / {Pending} pending.";
}
