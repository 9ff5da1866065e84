using System.Security.Cryptography;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>A stream's newest head in any anchor whose signature holds.</summary>
public readonly record struct AnchoredHead(string Municipality, long Version, byte[] Hash, long Anchor, DateTimeOffset At);

/// <summary>A line of the anchor log that cannot be trusted, or a hole in the anchors' own chain.</summary>
public sealed record AnchorProblem(long Line, long? Anchor, string Reason, IReadOnlyList<AnchorHead> Named);

/// <summary>The last anchor whose signature holds, in the log's order.</summary>
public sealed record AnchorMark(long Number, DateTimeOffset At, long Through, string Digest);

/// <summary>The anchor log folded: each stream's newest anchored head, the last anchor, and what is wrong with the log.</summary>
public sealed class AnchorState
{
    internal static readonly AnchorState None = new(false, null, 0, [], new Dictionary<Guid, AnchoredHead>());

    private readonly Dictionary<Guid, AnchoredHead> _heads;
    private readonly Dictionary<string, Guid[]> _byMunicipality;

    internal AnchorState(bool configured, AnchorMark? last, long count, IReadOnlyList<AnchorProblem> problems, Dictionary<Guid, AnchoredHead> heads)
    {
        Configured = configured;
        Last = last;
        Count = count;
        Problems = problems;
        _heads = heads;
        // Sorted as PostgreSQL sorts uuids, so that a page of cases (a range of ids) finds its anchored cases by binary search.
        _byMunicipality = heads.GroupBy(h => h.Value.Municipality, h => h.Key)
            .ToDictionary(g => g.Key, g => g.Order(PgUuidOrder.Instance).ToArray(), StringComparer.Ordinal);
    }

    public bool Configured { get; }

    public AnchorMark? Last { get; }

    /// <summary>Anchors whose signature holds.</summary>
    public long Count { get; }

    public IReadOnlyList<AnchorProblem> Problems { get; }

    public bool TryGetHead(Guid stream, out AnchoredHead head) => _heads.TryGetValue(stream, out head);

    /// <summary>The municipality's anchored cases with ids after <paramref name="after"/> (exclusive) up to <paramref name="upTo"/> (inclusive), in id order.</summary>
    public IEnumerable<Guid> CasesBetween(string municipality, Guid? after, Guid? upTo)
    {
        if (!_byMunicipality.TryGetValue(municipality, out var ids)) yield break;
        var i = 0;
        if (after is { } a)
        {
            i = Array.BinarySearch(ids, a, PgUuidOrder.Instance);
            i = i >= 0 ? i + 1 : ~i;
        }
        for (; i < ids.Length; i++)
        {
            if (upTo is { } u && PgUuidOrder.Instance.Compare(ids[i], u) > 0) yield break;
            yield return ids[i];
        }
    }

    /// <summary>Every anchored case (of one municipality, or of all).</summary>
    public IEnumerable<Guid> Cases(string? municipality) =>
        municipality is null ? _heads.Keys : CasesBetween(municipality, null, null);
}

/// <summary>uuids in PostgreSQL's order: their 16 bytes in RFC 4122 (big-endian) order, compared as unsigned bytes.</summary>
public sealed class PgUuidOrder : IComparer<Guid>
{
    public static readonly PgUuidOrder Instance = new();

    public int Compare(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }
}

/// <summary>
/// Reads the anchor log and folds it into an <see cref="AnchorState"/>. Every line's signature is
/// checked with the configured key; only heads of anchors whose signature holds are believed, a
/// stream's newest one winning (an older anchor copied in later cannot pull a head back). Each
/// anchor must follow the one before it (number + 1, and <c>previous</c> its line's digest):
/// a line edited, replaced, removed or inserted is reported, with the cases it names.
/// <para>
/// Folded once and kept: a later read folds only what was appended, after checking that the
/// part already folded still hashes the same (an edit anywhere makes it fold everything again).
/// A log whose length and last write time are unchanged is taken as unchanged.
/// </para>
/// </summary>
public sealed class AnchorLedger
{
    public static readonly AnchorLedger Unconfigured = new(null, null);

    private readonly Lock _lock = new();
    private Fold _fold = new();
    private (long Length, DateTime Modified) _stamp = (-1, DateTime.MinValue);
    private AnchorState _state = AnchorState.None;

    public AnchorLedger(IAnchorLog? log, AnchorKey? key)
    {
        Log = log;
        Key = key;
    }

    public IAnchorLog? Log { get; }

    public AnchorKey? Key { get; }

    public bool Configured => Log is not null && Key is not null;

    public AnchorState Read()
    {
        if (Log is null || Key is null) return AnchorState.None;
        lock (_lock)
        {
            var stamp = Log.Stamp();
            if (stamp == _stamp) return _state;
            using var stream = Log.OpenRead();
            if (stream.Length < _fold.Offset || !_fold.PrefixMatches(stream))
            {
                _fold = new Fold();
                stream.Seek(0, SeekOrigin.Begin);
            }
            else
            {
                stream.Seek(_fold.Offset, SeekOrigin.Begin);
            }
            _fold.Continue(stream, Key);
            _stamp = stamp;
            _state = _fold.Snapshot();
            return _state;
        }
    }

    /// <summary>The folding state: what was read so far, and its running digest.</summary>
    private sealed class Fold
    {
        private readonly IncrementalHash _prefix = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Dictionary<Guid, AnchoredHead> _heads = [];
        private readonly List<AnchorProblem> _problems = [];
        private long _lines;
        private long _count;
        private AnchorMark? _last;
        private bool _doubtSinceLast;

        public long Offset { get; private set; }

        public bool PrefixMatches(Stream stream)
        {
            using var check = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            var left = Offset;
            while (left > 0)
            {
                var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0) return false;
                check.AppendData(buffer, 0, read);
                left -= read;
            }
            return check.GetHashAndReset().AsSpan().SequenceEqual(_prefix.GetCurrentHash());
        }

        public void Continue(Stream stream, AnchorKey key)
        {
            var pending = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != '\n') continue;
                    pending.Write(buffer, start, i - start);
                    var line = pending.ToArray();
                    pending.SetLength(0);
                    start = i + 1;
                    Accept(line, key);
                    _prefix.AppendData(line);
                    _prefix.AppendData("\n"u8);
                    Offset += line.Length + 1;
                }
                pending.Write(buffer, start, read - start);
            }
            // A last line without its line break is still being written (or was cut short by a
            // crash; the next append closes it, and then it is reported): not folded yet.
        }

        private void Accept(byte[] line, AnchorKey key)
        {
            _lines++;
            if (line.Length == 0) return;
            if (AnchorRecord.Split(line) is not { } split)
            {
                Doubt(null, "この行はアンカーとして読めません / the line is not an anchor (unreadable or cut short)", []);
                return;
            }
            var record = AnchorRecord.Parse(split.Body);
            if (record is not null && record.Key != key.Id)
            {
                Doubt(record.Number, $"別の鍵({record.Key})で署名されています / signed by another key ({record.Key}), not this system's ({key.Id})", record.Heads);
                return;
            }
            if (record is null || !key.Verify(split.Body, split.Signature))
            {
                Doubt(record?.Number, "署名が一致しません。アンカーが書き換えられたか差し替えられています / the signature does not hold: the anchor was edited or replaced",
                    record?.Heads ?? []);
                return;
            }
            var digest = Convert.ToHexStringLower(SHA256.HashData(line));
            // A hole is reported once: lines found wrong since the last good one already account for it.
            // Which cases a removed anchor named, nothing says: none are named.
            if (!_doubtSinceLast && FollowProblem(record) is { } chainProblem) _problems.Add(new AnchorProblem(_lines, record.Number, chainProblem, []));
            foreach (var head in record.Heads)
            {
                if (!_heads.TryGetValue(head.Case, out var known) || known.Version < head.Version)
                {
                    _heads[head.Case] = new AnchoredHead(head.Municipality, head.Version, head.Hash, record.Number, record.At);
                }
            }
            _count++;
            _last = new AnchorMark(record.Number, record.At, record.Through, digest);
            _doubtSinceLast = false;
        }

        private string? FollowProblem(AnchorRecord record)
        {
            var expected = (_last?.Number ?? 0) + 1;
            if (record.Number == expected + 1)
            {
                return $"アンカー #{expected} がありません(行が削除されています)/ anchor #{expected} is missing (its line was removed)";
            }
            if (record.Number > expected)
            {
                return $"アンカー #{expected}〜#{record.Number - 1} がありません(行が削除されています)/ anchors #{expected} to #{record.Number - 1} are missing (their lines were removed)";
            }
            if (record.Number < expected)
            {
                return $"アンカー #{record.Number} が繰り返されているか順序が戻っています / anchor #{record.Number} repeats or goes back (an earlier anchor copied in)";
            }
            if (record.Previous != _last?.Digest)
            {
                return $"直前のアンカー #{_last?.Number} に続いていません(差し替えられています)/ it does not follow anchor #{_last?.Number}: an anchor was replaced";
            }
            return null;
        }

        private void Doubt(long? number, string reason, IReadOnlyList<AnchorHead> named)
        {
            _problems.Add(new AnchorProblem(_lines, number, reason, named));
            _doubtSinceLast = true;
        }

        public AnchorState Snapshot() => new(true, _last, _count, [.. _problems], new Dictionary<Guid, AnchoredHead>(_heads));
    }
}
