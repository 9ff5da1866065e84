namespace CaseSystem.CardStation.Commands;

/// <summary>The console as the commands see it, so that tests run them in-process.</summary>
public sealed record StationIo(
    TextWriter Out,
    TextWriter Error,
    Func<ConsoleKeyInfo> ReadKey,
    Func<bool> KeyAvailable,
    Func<string?> ReadLine,
    Func<string, string?> Environment,
    CancellationToken Cancel)
{
    public static StationIo System(CancellationToken cancel) => new(
        Console.Out, Console.Error,
        () => Console.ReadKey(intercept: true), () => Console.KeyAvailable, Console.ReadLine,
        global::System.Environment.GetEnvironmentVariable, cancel);
}
