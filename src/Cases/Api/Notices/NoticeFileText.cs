using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace CaseSystem.Cases.Api.Notices;

/// <summary>
/// Why a whole file is refused before anything is read from it into the log: a stable
/// <see cref="Reason"/> code, the physical line (1-based) where the fault is, or null when it
/// concerns the whole request, and plain text in Japanese and English. Never a field's value.
/// </summary>
public sealed record FileFault(string Reason, int? Line, string Ja, string En);

/// <summary>The file's text and the character encoding it was read in ("utf-8" or "shift_jis").</summary>
public sealed record DecodedText(string Text, string Encoding);

/// <summary>
/// The bytes of a notice file as text. UTF-8 (with or without a byte-order mark) and CP932
/// (Shift_JIS as Windows and Excel write it, 「CSV (コンマ区切り)」) are read; the request's
/// <c>charset</c> says which, or else the bytes do: a strict UTF-8 reading that succeeds is UTF-8,
/// else a strict CP932 reading that succeeds is CP932, else the file is refused, naming the first
/// line neither can read. A NUL byte (a file saved as UTF-16, 「Unicode テキスト」, or not a
/// text file) refuses the file too. Nothing is ever guessed into replacement characters: a
/// garbled name would enter the log for good.
/// </summary>
public static class NoticeFileText
{
    public const string Utf8Name = "utf-8";
    public const string ShiftJisName = "shift_jis";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Encoding StrictCp932 = CreateCp932();

    private static Encoding CreateCp932()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>The charset names (lower case) read as each encoding; any other declared charset is refused.</summary>
    private static readonly Dictionary<string, string> Charsets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["utf-8"] = Utf8Name, ["utf8"] = Utf8Name,
        ["shift_jis"] = ShiftJisName, ["shift-jis"] = ShiftJisName, ["sjis"] = ShiftJisName, ["x-sjis"] = ShiftJisName,
        ["windows-31j"] = ShiftJisName, ["cp932"] = ShiftJisName, ["ms932"] = ShiftJisName, ["ms_kanji"] = ShiftJisName,
        ["csshiftjis"] = ShiftJisName, ["cswindows31j"] = ShiftJisName,
    };

    public static (DecodedText? Text, FileFault? Fault) Decode(ReadOnlySpan<byte> bytes, string? declaredCharset)
    {
        string? declared = null;
        if (!string.IsNullOrWhiteSpace(declaredCharset))
        {
            // The charset is not echoed either: it is the client's text.
            if (!Charsets.TryGetValue(declaredCharset.Trim().Trim('"'), out declared))
            {
                return (null, new FileFault("unsupported-charset", null,
                    "Content-Type の charset は UTF-8 か Shift_JIS を指定してください(指定しなければ自動で判定します)。",
                    "The Content-Type charset must be UTF-8 or Shift_JIS (or none: the encoding is then detected)."));
            }
        }

        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            return (null, new FileFault("utf-16", 1,
                "UTF-16(Unicode テキスト)のファイルは読めません。Excel で「CSV UTF-8」か「CSV (コンマ区切り)」で保存してください。",
                "UTF-16 (Unicode text) files are not read; save the file from Excel as \"CSV UTF-8\" or \"CSV (comma delimited)\"."));
        }
        var bom = bytes.StartsWith("\uFEFF"u8);
        if (bom) bytes = bytes[3..];
        if (bytes.IndexOf((byte)0) is var nul and >= 0)
        {
            return (null, new FileFault("nul-byte", LineOf(bytes, nul),
                "NUL 文字(0x00)があります。UTF-16 で保存したファイルか、テキストでないファイルです。何も登録していません。",
                "The file has a NUL byte (0x00): it is UTF-16 or not a text file. Nothing was imported."));
        }

        // A byte-order mark says UTF-8 as plainly as a charset does.
        if (bom && declared == ShiftJisName) declared = null;
        if (bom) declared ??= Utf8Name;

        if (declared != ShiftJisName)
        {
            if (FirstInvalidUtf8(bytes) is not { } bad) return (new DecodedText(StrictUtf8.GetString(bytes), Utf8Name), null);
            if (declared == Utf8Name)
            {
                var shiftJis = Cp932(bytes).BadLine is null;
                return (null, new FileFault("bad-encoding", LineOf(bytes, bad),
                    "UTF-8 として読めない文字があります。" + (shiftJis ? "Shift_JIS として読めるので、charset=Shift_JIS を指定するか charset を外してください。" : "UTF-8 で保存し直してください。"),
                    "A character is not valid UTF-8. " + (shiftJis ? "It reads as Shift_JIS: send charset=Shift_JIS, or no charset." : "Save the file as UTF-8.")));
            }
        }
        var (text, badLine) = Cp932(bytes);
        if (badLine is { } sjisLine)
        {
            // Neither reads: the line named is where the reading that went further stopped.
            var line = declared == ShiftJisName ? sjisLine : Math.Max(sjisLine, LineOf(bytes, FirstInvalidUtf8(bytes) ?? 0));
            return (null, new FileFault("bad-encoding", line,
                declared == ShiftJisName
                    ? "Shift_JIS として読めない文字があります。何も登録していません。"
                    : "UTF-8 としても Shift_JIS としても読めない文字があります。UTF-8 か Shift_JIS で保存してください。何も登録していません。",
                declared == ShiftJisName
                    ? "A character is not valid Shift_JIS. Nothing was imported."
                    : "A character is neither UTF-8 nor Shift_JIS; save the file in one of them. Nothing was imported."));
        }
        return (new DecodedText(text!, ShiftJisName), null);
    }

    /// <summary>The physical line (1-based) a byte is on. A line feed is never part of a UTF-8 or CP932 multi-byte character.</summary>
    public static int LineOf(ReadOnlySpan<byte> bytes, int index) => bytes[..Math.Min(index, bytes.Length)].Count((byte)'\n') + 1;

    private static int? FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return null;
        var chars = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            var offset = 0;
            while (true)
            {
                var status = Utf8.ToUtf16(bytes[offset..], chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
                offset += read;
                if (status == System.Buffers.OperationStatus.Done) return null;
                if (status != System.Buffers.OperationStatus.DestinationTooSmall) return offset;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The bytes read strictly as CP932, or the first line (1-based) that cannot be. Windows' table
    /// also maps the single bytes 0x80, 0xA0 and 0xFD–0xFF, which no Shift_JIS text holds (a Latin-1
    /// file, a binary one), to U+0080 and U+F8F0–U+F8F3: those count as unreadable too. The
    /// user-defined area (0xF040–0xF9FC, a municipality's 外字) reads as Unicode's private use area.
    /// </summary>
    private static (string? Text, int? BadLine) Cp932(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = StrictCp932.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Find the line, one line at a time (the exception's own index is not to be relied on across buffers).
            var start = 0;
            while (start < bytes.Length)
            {
                var end = bytes[start..].IndexOf((byte)'\n') is var n and >= 0 ? start + n + 1 : bytes.Length;
                try
                {
                    StrictCp932.GetCharCount(bytes[start..end]);
                }
                catch (DecoderFallbackException)
                {
                    return (null, LineOf(bytes, start));
                }
                start = end;
            }
            return (null, 1);
        }
        var stray = text.AsSpan().IndexOfAny(NotShiftJis);
        return stray < 0 ? (text, null) : (null, text.AsSpan(0, stray).Count('\n') + 1);
    }

    private static readonly SearchValues<char> NotShiftJis = SearchValues.Create("\u0080\uF8F0\uF8F1\uF8F2\uF8F3");
}
