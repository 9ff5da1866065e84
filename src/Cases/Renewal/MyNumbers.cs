using System.Text.RegularExpressions;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// A My Number (個人番号) is never stored, logged or sent (the design card): every text a person
/// types or an office's file brings (names, addresses, notice fields, ticket numbers, reasons) is
/// refused when it holds what looks like one, and the refusal never repeats the text. One test
/// for all of them, so that a field is not safer than its neighbour.
/// </summary>
public static partial class MyNumbers
{
    /// <summary>
    /// Twelve digits (half- or full-width) not following another digit, run together or in groups
    /// of four with one space or dash between (hyphen, full-width hyphen, minus, the ideographic
    /// space, and 'ー', which a Japanese keyboard gives for a dash): "123456789012", "1234 5678 9012",
    /// "１２３４－５６７８－９０１２". Not a date-and-serial such as "JLIS-2026-03-000123", nor an address's
    /// "1-1-1201".
    /// </summary>
    public static bool LooksLikeOne(string text) => Pattern().IsMatch(text);

    [GeneratedRegex("(?<![0-9０-９])[0-9０-９]{4}[ \\-　－ー‐−]?[0-9０-９]{4}[ \\-　－ー‐−]?[0-9０-９]{4}")]
    private static partial Regex Pattern();
}
