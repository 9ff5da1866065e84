using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>Everything a test server logs, every level, kept for the test to search (added with <c>builder.Logging.AddProvider</c>).</summary>
public sealed class LogCollector : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception)
    {
        /// <summary>The message with its exception's text, as a log line shows both.</summary>
        public string Line => Message + " " + Exception;
    }

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            collector.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
    }
}
