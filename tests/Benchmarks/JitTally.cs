using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace CaseSystem.Benchmarks;

/// <summary>
/// The methods the JIT compiles in this process while <see cref="Counting"/>, by type and name,
/// from the runtime's own events (MethodLoadVerbose under the JIT keyword): what keeps the JIT
/// busy after a warm-up, which a count alone cannot say.
/// </summary>
internal sealed class JitTally : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const int MethodLoadVerbose = 143;
    private readonly ConcurrentDictionary<string, int> _methods = new();

    public bool Counting { get; set; }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, JitKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Counting || e.EventId != MethodLoadVerbose || e.Payload is null || e.PayloadNames is null) return;
        var ns = e.Payload[e.PayloadNames.IndexOf("MethodNamespace")] as string ?? "?";
        var name = e.Payload[e.PayloadNames.IndexOf("MethodName")] as string ?? "?";
        _methods.AddOrUpdate($"{ns}::{name}", 1, (_, n) => n + 1);
    }

    /// <summary>The compilations by the first two parts of their namespace, the most first.</summary>
    public IReadOnlyList<(string Namespace, int Times)> ByNamespace(int n) => _methods
        .GroupBy(m => string.Join('.', m.Key[..m.Key.IndexOf("::", StringComparison.Ordinal)].Split('.').Take(2)))
        .Select(g => (g.Key, g.Sum(m => m.Value))).OrderByDescending(g => g.Item2).Take(n).ToList();

    /// <summary>The most compiled, most often first, and how many distinct methods there were.</summary>
    public (IReadOnlyList<(string Method, int Times)> Top, int Distinct) Top(int n) =>
        (_methods.OrderByDescending(m => m.Value).Take(n).Select(m => (m.Key, m.Value)).ToList(), _methods.Count);
}
