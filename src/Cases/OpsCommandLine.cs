using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace CaseSystem.Cases;

/// <summary>A usage error of an operator's command, in Japanese and English (one line: "日本語 / English").</summary>
public sealed record UsageProblem(string Ja, string En)
{
    public override string ToString() => $"{Ja} / {En}";
}

/// <summary>
/// The server's operator commands (<c>token</c>, <c>staff</c>, <c>anchors</c>, <c>projections</c>)
/// parsed by System.CommandLine, with this project's conventions rather than the library's own:
/// a usage error is "NAME: 日本語 / English" on stderr, one line per problem, then the command's
/// usage, and exit code 2; <c>-h</c> / <c>--help</c> prints the usage on stdout. Arguments are taken
/// as written: no <c>@file</c> response files (a value may begin with '@'), no <c>--version</c>,
/// and no Ctrl+C handler (an interrupted command stops as any process does).
/// </summary>
public static class OpsCommandLine
{
    public const int UsageExit = 2;

    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    /// <summary>A root command named <paramref name="name"/>: its help option kept, its version option removed.</summary>
    public static RootCommand Root(string name)
    {
        var root = new RootCommand(name);
        foreach (var version in root.Options.OfType<VersionOption>().ToList())
        {
            root.Options.Remove(version);
        }
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the action they name (its exit code), or answers help or a usage error.</summary>
    public static async Task<int> RunAsync(RootCommand root, string name, string usage, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = root.Parse(args, Parser);
        if (parsed.Action is HelpAction)
        {
            await output.WriteLineAsync(usage);
            return 0;
        }
        if (parsed.Errors.Count > 0)
        {
            return UsageError(error, name, usage, [.. Describe(parsed)]);
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation);
    }

    /// <summary>The synchronous form of <see cref="RunAsync"/>, for commands whose actions are synchronous.</summary>
    public static int Run(RootCommand root, string name, string usage, IReadOnlyList<string> args, TextWriter output, TextWriter error) =>
        RunAsync(root, name, usage, args, output, error).GetAwaiter().GetResult();

    /// <summary>Writes the problems, each "NAME: 日本語 / English", then the usage, to <paramref name="error"/>; returns 2.</summary>
    public static int UsageError(TextWriter error, string name, string usage, params UsageProblem[] problems)
    {
        foreach (var problem in problems)
        {
            error.WriteLine($"{name}: {problem}");
        }
        error.WriteLine(usage);
        return UsageExit;
    }

    /// <summary>
    /// The parse's problems in our words, read from what the parse found (which option, which
    /// words) rather than from the library's messages, which are English or partly translated.
    /// </summary>
    internal static IEnumerable<UsageProblem> Describe(ParseResult parsed)
    {
        var described = false;
        var missing = parsed.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } parent ? parent : null;
        var verbs = missing is null ? "" : string.Join(", ", missing.Subcommands.Select(c => c.Name));
        foreach (var word in parsed.UnmatchedTokens)
        {
            described = true;
            if (word.StartsWith('-'))
            {
                yield return new UsageProblem($"{word} というオプションはありません", $"unknown option {word}.");
            }
            else if (missing is not null)
            {
                // The first word where a command was wanted: a misspelt one.
                yield return new UsageProblem($"コマンド '{word}' はありません ({verbs})", $"unknown command '{word}'; one of: {verbs}.");
                missing = null;
            }
            else
            {
                yield return new UsageProblem($"余計な引数 '{word}' があります", $"unexpected argument '{word}'.");
            }
        }
        if (missing is not null)
        {
            described = true;
            yield return new UsageProblem($"コマンドを指定してください ({verbs})", $"a command is needed: one of {verbs}.");
        }
        foreach (var problem in parsed.Errors)
        {
            switch (problem.SymbolResult)
            {
                case OptionResult { IdentifierTokenCount: 0, Option.Name: var option }:
                    described = true;
                    yield return new UsageProblem($"{option} を指定してください", $"{option} is required.");
                    break;
                case OptionResult { Tokens.Count: 0, Option.Name: var option }:
                    described = true;
                    yield return new UsageProblem($"{option} に値がありません", $"{option} needs a value.");
                    break;
                case OptionResult { Tokens.Count: > 1, Option.Name: var option }:
                    described = true;
                    yield return new UsageProblem($"{option} が二度指定されています", $"{option} is given twice.");
                    break;
                case ArgumentResult { Tokens.Count: 0, Argument.Name: var argument }:
                    described = true;
                    yield return new UsageProblem($"{argument} を指定してください", $"{argument} is required.");
                    break;
                case CommandResult:
                    // Words left over and a missing command, described above.
                    break;
                default:
                    described = true;
                    yield return new UsageProblem("引数が正しくありません", problem.Message);
                    break;
            }
        }
        if (!described)
        {
            foreach (var problem in parsed.Errors)
            {
                yield return new UsageProblem("引数が正しくありません", problem.Message);
            }
        }
    }
}
