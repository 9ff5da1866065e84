using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace CaseSystem.Chaos;

/// <summary>The run's log lines, on stderr (stdout carries only the result lines), each with the seconds since the start.</summary>
internal static class Log
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static void Line(string text) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {Stopwatch.GetElapsedTime(Started).TotalSeconds,7:0.00}s {DateTime.Now:HH:mm:ss.fff} {text}"));
}

/// <summary>
/// A command the server acknowledged (a 2xx answer, first or replayed): the case, the version the
/// answer says the case reached (its ETag, or <c>version</c> in the body), and, when that version is
/// past the one this client knew, the command and staff member the event at that version must name
/// in its metadata (the command's own event: nothing else writes these cases meanwhile).
/// </summary>
internal sealed record Ack(string Municipality, Guid CaseId, long Version, string? Command, string StaffId);

/// <summary>
/// What one fault's phase saw: every acknowledged command, and every answer by status. What counts
/// as an error (<see cref="Errors5xx"/>): an answer with a status of 500 or more, except a 503 that is
/// the API's database-unavailable problem with a Retry-After (the documented answer while PostgreSQL
/// restarts). Requests that got no answer at all (the process was killed, a connection refused or
/// reset, 15 s without an answer) are counted apart: they are a fault's expected effect, never acknowledged.
/// </summary>
internal sealed class Journal(string fault)
{
    public const string DatabaseUnavailable = "urn:casesystem:problem:database-unavailable";

    private readonly ConcurrentQueue<Ack> _acks = new();
    private readonly ConcurrentDictionary<string, long> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<string, long> _refusals = new(StringComparer.Ordinal);
    private long _noAnswer;
    private long _gaveUp;

    public string Fault { get; } = fault;

    public IReadOnlyCollection<Ack> Acks => _acks;

    public int Errors5xx => _errors.Count;

    public void Acknowledge(Ack ack) => _acks.Enqueue(ack);

    /// <summary>Counts an answer; a 5xx that is not the database-unavailable 503 is an error, kept with its command and problem type.</summary>
    public void Answered(string command, int status, string? problemType, bool retryAfter)
    {
        var key = status == 503 && problemType == DatabaseUnavailable ? "503-database-unavailable" : status.ToString(CultureInfo.InvariantCulture);
        _answers.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (status >= 500 && !(status == 503 && problemType == DatabaseUnavailable && retryAfter))
        {
            _errors.Enqueue($"{status} {command} {problemType ?? "(no problem type)"}{(status == 503 && !retryAfter ? " without Retry-After" : "")}");
        }
    }

    /// <summary>A 4xx answer that ended a clerk's case (expected: none but the odd 409 of a lost If-Match race).</summary>
    public void Refused(string command, int status, string? problemType) =>
        _refusals.AddOrUpdate($"{status} {command} {problemType ?? "(no problem type)"}", 1, (_, n) => n + 1);

    public void NoAnswer() => Interlocked.Increment(ref _noAnswer);

    /// <summary>A request retried until the phase ended or its time ran out without an answer that settles it.</summary>
    public void GaveUp() => Interlocked.Increment(ref _gaveUp);

    public string Summary()
    {
        var answers = string.Join(' ', _answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}:{a.Value}"));
        var errors = _errors.IsEmpty ? "" : "; errors: " + string.Join(", ", _errors.GroupBy(e => e).Select(g => $"{g.Key} ×{g.Count()}"));
        var refusals = _refusals.IsEmpty ? "" : "; refusals: " + string.Join(", ", _refusals.OrderByDescending(r => r.Value).Select(r => $"{r.Key} ×{r.Value}"));
        return $"fault={Fault} acknowledged={_acks.Count} answers {answers} no_answer:{Interlocked.Read(ref _noAnswer)} gave_up:{Interlocked.Read(ref _gaveUp)}{errors}{refusals}";
    }
}
