using System.Text;

namespace CaseSystem.Cases.Api.Notices;

/// <summary>One CSV record and the physical line (1-based) it starts on, for a report a clerk can find in the file.</summary>
public readonly record struct CsvRecord(int Line, string[] Fields);

/// <summary>
/// RFC 4180 records: fields separated by commas, optionally in double quotes (a quote inside
/// doubled), records ending in CRLF or LF, line breaks allowed inside quotes (kept as LF); blank lines are
/// skipped. A quote left open at the end of the file would have swallowed every line after it,
/// so it refuses the whole file, naming the line the quote opens on.
/// Kept over Sep and Sylvan.Data.Csv (issue 15): Sep reads an unclosed quote to the end of the file
/// without a word and takes a quote inside a field (5"F) as opening one; Sylvan counts records, not
/// the file's lines. Parsing is not what limits an import: writing the cases is.
/// </summary>
public static class CsvRecords
{
    public static (List<CsvRecord> Records, FileFault? Fault) Read(string text)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, quoteLine = 0;
        bool quoted = false, afterQuote = false, any = false;
        foreach (var c in text)
        {
            if (quoted)
            {
                if (c == '"') { quoted = false; afterQuote = true; }
                else if (c == '\r') { } // a line break inside a field is kept as LF, as Excel writes it (Alt+Enter)
                else { if (c == '\n') line++; field.Append(c); }
            }
            else if (c == '"')
            {
                if (afterQuote) { field.Append('"'); quoted = true; afterQuote = false; }
                else if (field.Length == 0) { quoted = true; quoteLine = line; }
                else field.Append(c);
                any = true;
            }
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); afterQuote = false; any = true; }
            else if (c == '\n')
            {
                if (any || field.Length > 0 || fields.Count > 0)
                {
                    fields.Add(field.ToString());
                    records.Add(new CsvRecord(recordLine, [.. fields]));
                }
                fields.Clear(); field.Clear(); afterQuote = false; any = false;
                line++;
                recordLine = line;
            }
            else if (c == '\r') { }
            else { field.Append(c); afterQuote = false; any = true; }
        }
        if (quoted)
        {
            return (records, new FileFault("unterminated-quote", quoteLine,
                "閉じられていない引用符(\")があります。これより後の行が読めないため、何も登録していません。",
                "A double quote (\") is never closed, so the lines after it cannot be read. Nothing was imported."));
        }
        if (any || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(new CsvRecord(recordLine, [.. fields]));
        }
        return (records, null);
    }
}
