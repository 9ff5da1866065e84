using System.Text;

namespace CaseSystem.Cases.Api;

/// <summary>
/// RFC 4180 records: fields separated by commas, optionally in double quotes (a quote inside
/// doubled), records ending in CRLF or LF, line breaks allowed inside quotes. Each record comes
/// with the line it starts on, for a reject report a clerk can find in the file.
/// </summary>
public static class CsvRecords
{
    public static async IAsyncEnumerable<(int Line, IReadOnlyList<string> Fields)> ReadAsync(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1;
        bool quoted = false, afterQuote = false, any = false;
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (quoted)
                {
                    if (c == '"') { quoted = false; afterQuote = true; }
                    else { if (c == '\n') line++; field.Append(c); }
                }
                else if (c == '"')
                {
                    if (afterQuote) { field.Append('"'); quoted = true; afterQuote = false; }
                    else if (field.Length == 0) quoted = true;
                    else field.Append(c);
                    any = true;
                }
                else if (c == ',') { fields.Add(field.ToString()); field.Clear(); afterQuote = false; any = true; }
                else if (c == '\n')
                {
                    if (any || field.Length > 0 || fields.Count > 0)
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields.ToArray());
                    }
                    fields.Clear(); field.Clear(); afterQuote = false; any = false;
                    line++;
                    recordLine = line;
                }
                else if (c == '\r') { }
                else { field.Append(c); afterQuote = false; any = true; }
            }
        }
        if (any || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields.ToArray());
        }
    }
}
