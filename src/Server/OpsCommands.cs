using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Auth.Members;
using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Projections.Daemon;

namespace CaseSystem.Server;

/// <summary>
/// The operator's commands that this program runs instead of serving (ops/token, ops/staff,
/// ops/anchors, ops/projections), each parsed by System.CommandLine in its own class. Anything
/// else is served, or is one of Marten's and Wolverine's own commands (RunJasperFxCommands).
/// </summary>
internal static class OpsCommands
{
    public static Task<int>? Run(string[] args) => args switch
    {
        ["token", ..] => Task.FromResult(TokenCommand.Run(args[1..], Console.Out, Console.Error)),
        ["staff", ..] => StaffCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable("CASES_DB"), Console.Out, Console.Error),
        ["anchors", ..] => AnchorsCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable, Console.Out, Console.Error),
        ["projections", ..] => ProjectionsCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable("CASES_DB"), Console.Out, Console.Error),
        _ => null,
    };
}
