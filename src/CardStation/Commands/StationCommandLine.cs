using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using CaseSystem.CardStation.Station;
using CaseSystem.Contracts;

namespace CaseSystem.CardStation.Commands;

/// <summary>
/// <c>cardstation</c>'s words as System.CommandLine parses them: the verbs, the options each verb
/// takes, and the settings every verb takes. A parse error is a usage error said in Japanese and
/// English by us, not the library's text (which follows the machine's language and says only one);
/// help is the hand-written usage text (<see cref="StationCommands.Usage"/>), which lays the verbs
/// out as the counter's manual does.
/// </summary>
public static class StationCommandLine
{
    /// <summary>The settings: taken by every verb, else read from the environment (<see cref="StationOptions.From"/>).</summary>
    public static readonly IReadOnlyList<string> Settings = ["server", "municipality", "station-id", "office", "data", "token-file"];

    private static readonly (string Verb, string[] Options)[] Verbs =
    [
        ("tui", []),
        ("readers", []),
        ("read", ["reader"]),
        ("watch", []),
        ("find", ["notice", "name", "birth-date"]),
        ("attach", ["case", "notice", "name", "birth-date", "reader"]),
        ("open", ["name-kanji", "name-kana", "birth-date", "address", "signing-expiry", "reader"]),
        ("pin", ["case", "kind", "reader"]),
        ("reread", ["case", "reader"]),
        ("outbox", []),
        ("send", []),
        ("help", []),
    ];

    /// <summary>A date option's value: a date as a person types it; <c>--signing-expiry</c> also takes <c>none</c>.</summary>
    private static readonly IReadOnlySet<string> DateOptions = new HashSet<string>(StringComparer.Ordinal) { "birth-date", "signing-expiry" };

    /// <summary>The verb and its options; a usage error (<see cref="StationException"/> of kind Usage) when the words are wrong.</summary>
    public static StationArgs Parse(IReadOnlyList<string> args)
    {
        // Built for each parse: the library does not promise that one tree may be parsed from several threads at once.
        var options = new Dictionary<string, Option<string>>(StringComparer.Ordinal);
        var root = Root(options);
        // No response files: a value that begins with @ is a value, as the hand-written parser took it.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0) throw UsageError(result);
        var verb = result.Action is HelpAction ? "help"
            : result.CommandResult.Command is RootCommand ? "tui"
            : result.CommandResult.Command.Name;
        return new StationArgs(verb, result, options);
    }

    private static RootCommand Root(Dictionary<string, Option<string>> options)
    {
        Option<string> Named(string name)
        {
            if (options.TryGetValue(name, out var known)) return known;
            var option = new Option<string>("--" + name);
            option.Validators.Add(Validate);
            return options[name] = option;
        }

        var root = new RootCommand("カード読取端末 / the counter terminal");
        // The documented surface only: no --version, no [suggest] directive.
        foreach (var version in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(version);
        root.Directives.Clear();
        // Without a verb, the screen: the root is a command of its own, not only a parent of verbs.
        root.SetAction(_ => 0);
        foreach (var setting in Settings)
        {
            var option = Named(setting);
            option.Recursive = true;
            root.Options.Add(option);
        }
        foreach (var (verb, verbOptions) in Verbs)
        {
            var command = new Command(verb);
            foreach (var name in verbOptions) command.Options.Add(Named(name));
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// A value that begins with <c>--</c> is an option forgotten its value (<c>--reader --case X</c>),
    /// as the hand-written parser said; a date that cannot be read is refused here, before the card
    /// or the server is asked anything.
    /// </summary>
    private static void Validate(OptionResult result)
    {
        if (result.Tokens.Count != 1) return;
        if (ValueProblem(result.Option.Name, result.Tokens[0].Value) is { } problem) result.AddError(problem.Message);
    }

    private static StationException? ValueProblem(string option, string value)
    {
        if (value.StartsWith("--", StringComparison.Ordinal)) return NeedsValue(option);
        var name = option[2..];
        if (!DateOptions.Contains(name) || (name == "signing-expiry" && value == "none")) return null;
        var reading = JapaneseDates.Parse(value);
        return reading.Date is null ? StationArgs.Usage($"{option}: {reading.ProblemJa}", $"{option}: {reading.ProblemEn}") : null;
    }

    private static StationException NeedsValue(string option) => StationArgs.Usage($"{option} に値がありません", $"{option} needs a value");

    /// <summary>The first thing wrong, said as the clerk's manual says it.</summary>
    private static StationException UsageError(ParseResult result)
    {
        var command = result.CommandResult.Command;
        // An option's own error first: --reader --case X leaves X unmatched because --reader took --case.
        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is not OptionResult option) continue;
            var name = option.Option.Name;
            return option.Tokens.Count switch
            {
                0 => NeedsValue(name),
                1 => ValueProblem(name, option.Tokens[0].Value) ?? Unexpected(error),
                _ => StationArgs.Usage($"{name} は1回だけ指定してください", $"{name} given more than once"),
            };
        }
        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            if (command is RootCommand && !token.StartsWith('-'))
            {
                return StationArgs.Usage($"知らないコマンドです: {token}", $"unknown command: {token}");
            }
            var verb = command is RootCommand ? "tui" : command.Name;
            return token.StartsWith('-')
                ? StationArgs.Usage($"{verb} では使えないオプションです: {token}", $"{verb} takes no option {token}")
                : StationArgs.Usage($"引数が正しくありません: {token}", $"unexpected argument: {token}");
        }
        return Unexpected(result.Errors[0]);
    }

    private static StationException Unexpected(ParseError error) =>
        StationArgs.Usage($"引数が正しくありません: {error.Message}", $"the arguments are wrong: {error.Message}");
}
