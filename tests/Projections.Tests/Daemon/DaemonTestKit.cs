using System.Collections.Concurrent;
using CaseSystem.Projections.QueueBoard;
using JasperFx.Events;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>The queue board, refusing the events a test names: the read model with a bug, then fixed.</summary>
internal sealed class RefusingQueueBoard : QueueBoardProjection
{
    public volatile Func<IEvent, bool> FailOn = _ => false;

    protected override BoardCase? Evolve(BoardCase? state, IEvent e) =>
        FailOn(e) ? throw new InvalidOperationException($"the queue board refuses event {e.Sequence}") : base.Evolve(state, e);
}

/// <summary>
/// The daemon's log, kept so a test can wait until the daemon says it has seen something (a gap
/// it holds before) instead of sleeping; passed on to the console logger when CASES_TEST_LOG is set.
/// </summary>
internal sealed class LogCapture(ILogger? inner) : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public bool Saw(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner?.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        _lines.Enqueue(formatter(state, exception));
        inner?.Log(logLevel, eventId, state, exception, formatter);
    }
}
