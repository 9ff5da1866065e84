using System.Text;
using System.Text.Json;
using CaseSystem.CardStation.Server;
using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Outbox;

/// <summary>
/// What the station observed and has not yet seen the server record, in a folder of its own:
/// <c>outbox.jsonl</c> (pending, in the order observed) and <c>set-aside.jsonl</c> (refused by a
/// rule). Every change rewrites the file whole into a temporary file, flushed to disk, renamed over
/// the old one: a crash leaves the old list or the new one, never half a line. Sent strictly in
/// order, stopping at the first entry that cannot be sent now; an entry the server refuses is set
/// aside and the next one goes. A lock file keeps two station processes over one folder in turn.
/// </summary>
public sealed class DurableOutbox
{
    private const string PendingFile = "outbox.jsonl";
    private const string SetAsideFile = "set-aside.jsonl";
    private readonly string _folder;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _sending = new(1, 1);

    public DurableOutbox(string folder, TimeProvider? clock = null)
    {
        _folder = folder;
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(folder);
    }

    public string Folder => _folder;

    public IReadOnlyList<OutboxEntry> Pending => Locked(() => Read<OutboxEntry>(PendingFile));

    public IReadOnlyList<SetAsideEntry> SetAside => Locked(() => Read<SetAsideEntry>(SetAsideFile));

    public void Add(OutboxEntry entry) => Locked(() =>
    {
        var pending = Read<OutboxEntry>(PendingFile);
        if (pending.Any(e => e.IdempotencyKey == entry.IdempotencyKey)) return 0;
        Write(PendingFile, [.. pending, entry]);
        return 0;
    });

    /// <summary>
    /// Sends the pending entries in order until one cannot be sent now (server unreachable, token
    /// refused). The files are locked only between sends: another process may add meanwhile, and
    /// if two send the same entry its key makes the server record it once.
    /// </summary>
    public async Task<OutboxReport> SendAsync(CaseServer server, CancellationToken ct = default)
    {
        await _sending.WaitAsync(ct);
        try
        {
            var setAside = new List<SetAsideEntry>();
            var sent = 0;
            while (Locked(() => Read<OutboxEntry>(PendingFile).FirstOrDefault()) is { } entry)
            {
                var outcome = await server.SendAsync(entry, () => _clock.GetUtcNow() - entry.ObservedAt, ct);
                switch (outcome)
                {
                    case SendOutcome.NotAllowed n:
                        return new OutboxReport(sent, setAside, Pending.Count, true, CaseServer.NotAllowed(n.Status, n.Title).MessageJa);
                    case SendOutcome.Unreachable u:
                        return new OutboxReport(sent, setAside, Pending.Count, false, null, u.RetryAfter);
                    case SendOutcome.Refused r:
                        setAside.Add(new SetAsideEntry(entry, r.Status, r.Type, r.Title, r.Detail, _clock.GetUtcNow()));
                        break;
                    default:
                        sent++;
                        break;
                }
                Locked(() =>
                {
                    if (outcome is SendOutcome.Refused) Write(SetAsideFile, [.. Read<SetAsideEntry>(SetAsideFile), setAside[^1]]);
                    Write(PendingFile, Read<OutboxEntry>(PendingFile).Where(e => e.IdempotencyKey != entry.IdempotencyKey).ToList());
                    return 0;
                });
            }
            return new OutboxReport(sent, setAside, 0, true, null);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The clerk has dealt with the refusals: they are no longer shown.</summary>
    public void ClearSetAside() => Locked(() => { Write<SetAsideEntry>(SetAsideFile, []); return 0; });

    private T Locked<T>(Func<T> action)
    {
        _gate.Wait();
        try
        {
            using var fileLock = FolderLock();
            return action();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An exclusive lock on <c>outbox.lock</c>, waited for while another station process holds it.</summary>
    private FileStream FolderLock()
    {
        var path = Path.Combine(_folder, "outbox.lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(50);
            }
        }
    }

    private List<T> Read<T>(string name)
    {
        var path = Path.Combine(_folder, name);
        if (!File.Exists(path)) return [];
        var entries = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                entries.Add(JsonSerializer.Deserialize<T>(line, StationJson.Options)!);
            }
            catch (JsonException e)
            {
                throw new StationException("OutboxDamaged", $"未送信データのファイルが壊れています: {path} {number}行目",
                    $"the outbox file is damaged: {path} line {number}", e);
            }
        }
        return entries;
    }

    private void Write<T>(string name, IReadOnlyList<T> entries)
    {
        var path = Path.Combine(_folder, name);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            foreach (var entry in entries) writer.Write(StationJson.Line(entry) + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
