using Microsoft.Extensions.Configuration;
using System.Globalization;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// Where the signed anchors go: a store outside PostgreSQL to which lines are only ever appended.
/// One line per anchor, UTF-8 JSON without line breaks. <see cref="FileAnchorLog"/> is the one kept
/// here; another (an object store with retention lock, a remote append-only service) implements this.
/// </summary>
public interface IAnchorLog
{
    /// <summary>Where the log is, for messages.</summary>
    string Name { get; }

    /// <summary>What changes whenever the content may have (for a file: its length and last write time).</summary>
    (long Length, DateTime Modified) Stamp();

    /// <summary>The whole log from its start; an empty stream when nothing was ever appended.</summary>
    Stream OpenRead();

    /// <summary>Appends one line (given without its line break); durable when this returns.</summary>
    void Append(ReadOnlySpan<byte> line);
}

/// <summary>
/// The anchor log as a file (CASES_ANCHOR_LOG): opened for each append, written at its end,
/// flushed to disk (fsync) before the anchor counts as made. Made with mode 600 in a folder of
/// mode 700. Appends are serialised by the anchorer (an advisory lock across processes of one
/// database), so every process that anchors must see the same file.
/// </summary>
public sealed class FileAnchorLog(string path) : IAnchorLog
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Name => Path;

    public (long Length, DateTime Modified) Stamp()
    {
        var info = new FileInfo(Path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (0, DateTime.MinValue);
    }

    public Stream OpenRead() =>
        File.Exists(Path) ? new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : new MemoryStream();

    public void Append(ReadOnlySpan<byte> line)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(Path, options);
        file.Seek(0, SeekOrigin.End);
        // A line cut short by a crash is closed first, so that it stays one unreadable line (the
        // verifier reports it) instead of swallowing this anchor.
        if (file.Length > 0)
        {
            file.Seek(-1, SeekOrigin.End);
            var last = file.ReadByte();
            file.Seek(0, SeekOrigin.End);
            if (last != '\n') file.WriteByte((byte)'\n');
        }
        file.Write(line);
        file.WriteByte((byte)'\n');
        file.Flush(flushToDisk: true);
    }
}

/// <summary>
/// The anchoring's configuration. CASES_ANCHOR_KEY: the PEM file of the signing key (made on first
/// start if missing); CASES_ANCHOR_LOG: the anchor log's file; both or neither (then nothing is
/// anchored, and the integrity report says so). CASES_ANCHOR_EVERY: how often a server anchors,
/// in minutes (5 unless set; a TimeSpan such as 00:00:30 also reads; 0 or off: only on demand).
/// </summary>
public sealed record AnchorOptions(string? KeyPath, string? LogPath, TimeSpan Every)
{
    public const string KeyVariable = "CASES_ANCHOR_KEY";
    public const string LogVariable = "CASES_ANCHOR_LOG";
    public const string EveryVariable = "CASES_ANCHOR_EVERY";
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromMinutes(5);

    public bool Configured => KeyPath is not null && LogPath is not null;

    public static AnchorOptions From(IConfiguration configuration) =>
        From(configuration[KeyVariable], configuration[LogVariable], configuration[EveryVariable]);

    public static AnchorOptions From(string? key, string? log, string? every)
    {
        key = string.IsNullOrWhiteSpace(key) ? null : key;
        log = string.IsNullOrWhiteSpace(log) ? null : log;
        if ((key is null) != (log is null))
        {
            throw new InvalidOperationException(
                $"{(key is null ? KeyVariable : LogVariable)} is not set, but {(key is null ? LogVariable : KeyVariable)} is: " +
                "anchoring needs both the signing key's file and the anchor log's (or neither, to anchor nothing).");
        }
        return new AnchorOptions(key, log, ReadEvery(every));
    }

    private static TimeSpan ReadEvery(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return DefaultEvery;
        text = text.Trim();
        if (text is "0" or "off") return TimeSpan.Zero;
        if (text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var minutes) && minutes >= 0 && minutes <= 24 * 60)
        {
            return TimeSpan.FromMinutes(minutes);
        }
        throw new InvalidOperationException(
            $"{EveryVariable} must be minutes (5, 0.5), a TimeSpan (00:00:30) or off; it is '{text}'.");
    }
}
