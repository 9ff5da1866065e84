using Microsoft.Extensions.Logging;

namespace CaseSystem.Projections.Tests.Support;

/// <summary>Debug aid: a logger appending to a file.</summary>
internal sealed class FileLogger<T>(string path) : ILogger<T>
{
    private static readonly object Gate = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Gate) File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)} {exception}\n");
    }
}
