using System.CommandLine;
using CaseSystem.CardStation.Commands;
using CaseSystem.Contracts;

namespace CaseSystem.CardStation.Station;

/// <summary>A command's words as parsed (<see cref="StationCommandLine"/>): the verb, and its options by name without the dashes.</summary>
public sealed class StationArgs
{
    private readonly ParseResult _result;
    private readonly IReadOnlyDictionary<string, Option<string>> _options;

    internal StationArgs(string verb, ParseResult result, IReadOnlyDictionary<string, Option<string>> options)
    {
        Verb = verb;
        _result = result;
        _options = options;
    }

    /// <summary><c>tui</c> when none was given; <c>help</c> for <c>help</c>, <c>--help</c>, <c>-h</c>.</summary>
    public string Verb { get; }

    /// <inheritdoc cref="StationCommandLine.Parse"/>
    public static StationArgs Parse(IReadOnlyList<string> args) => StationCommandLine.Parse(args);

    /// <summary>The option's value; null when not given (or given empty).</summary>
    public string? Value(string option) =>
        _options.TryGetValue(option, out var known) && _result.GetValue(known) is { Length: > 0 } value ? value : null;

    /// <summary>A date as a person types it: YYYY-MM-DD, or 和暦 (S55.1.20, 昭和55年1月20日); the parse refused any other.</summary>
    public DateOnly? Date(string option)
    {
        if (Value(option) is not { } text) return null;
        var reading = JapaneseDates.Parse(text);
        return reading.Date ?? throw Usage($"--{option}: {reading.ProblemJa}", $"--{option}: {reading.ProblemEn}");
    }

    public static StationException Usage(string ja, string en) => new("Usage", ja, en);
}
