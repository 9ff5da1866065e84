using System.Globalization;
using CaseSystem.Cases.Policies;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>One refusal of a field, in Japanese with the English beside it. Never carries the value refused.</summary>
public sealed record FieldError(string Ja, string En)
{
    public override string ToString() => $"{Ja} / {En}";

    public static readonly FieldError Required = new("必須です(空白のみは不可)", "Required (not blank)");
    public static readonly FieldError ControlCharacters = new("制御文字は使えません", "Control characters are not allowed");
    public static readonly FieldError Duplicates = new("同じ値が重複しています", "The same value is given twice");
    public static readonly FieldError BodyRequired = new("リクエスト本文(JSON オブジェクト)が必要です", "A request body (a JSON object) is required");
    public static readonly FieldError UnknownField = new("この項目は受け付けません", "Unknown field");
    public static readonly FieldError DuplicateField = new("同じ項目が2回以上あります", "The field is given more than once");

    public static readonly FieldError MyNumberLike = new("個人番号のような12桁の数字は記録できません", "A 12-digit number like a My Number is never recorded");

    public static FieldError OneOf(params string[] values) =>
        new($"{string.Join("、", values)} のいずれかを指定してください", $"One of: {string.Join(", ", values)}");

    public static FieldError Moment => new("日時はオフセット付きの ISO 8601 で指定してください(例: 2026-04-01T09:00:00+09:00)",
        "A moment in ISO 8601 with its offset (2026-04-01T09:00:00+09:00)");

    public static FieldError TooLong(int max) => new($"{max}文字以内で指定してください", $"At most {max} characters");

    public static FieldError OutOfRange(int min, int max) => new($"{min}〜{max}の整数を指定してください", $"An integer from {min} to {max}");

    public static FieldError Count(int min, int max) => new($"{min}〜{max}件で指定してください", $"From {min} to {max} items");

    public static FieldError DateRange(DateOnly from, DateOnly to) =>
        new($"{Iso(from)}から{Iso(to)}までの日付を指定してください", $"A date from {Iso(from)} to {Iso(to)}");

    public static FieldError UnknownOffice(MunicipalPolicy policy)
    {
        var ids = string.Join(", ", policy.Offices.Select(o => o.Id));
        return new($"{policy.NameJa}の窓口ではありません(指定できる窓口: {ids})", $"Not an office of {policy.Slug} (offices: {ids})");
    }

    public static FieldError BelowSuppressionFloor(MunicipalPolicy policy) =>
        new($"{policy.NameJa}の集計では{policy.ReportSuppressBelow}件未満の区分を表示しません({policy.ReportSuppressBelow}以上を指定してください)",
            $"{policy.Slug} shows no group of fewer than {policy.ReportSuppressBelow} cases (ask for {policy.ReportSuppressBelow} or more)");

    public static FieldError UnknownDocumentKind(MunicipalPolicy policy) =>
        new($"{policy.NameJa}で受け付ける書類の種類ではありません", $"Not a document kind {policy.Slug} accepts");

    public static FieldError UnknownCounter(OfficePolicy office)
    {
        var names = string.Join("、", office.Counters);
        return new($"{office.NameJa}の窓口名ではありません(指定できる窓口: {names})", $"Not a counter of {office.Id} (counters: {string.Join(", ", office.Counters)})");
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The refusals of one request body, each under the JSON path of its field (<c>holder.nameKana</c>,
/// <c>documents[1].kind</c>), collected so that one answer names every field that is wrong; and
/// the checks the validators share. Today is the municipality's (Japan's) date.
/// </summary>
public sealed class RequestErrors(MunicipalPolicy policy, DateOnly today)
{
    private readonly Dictionary<string, List<FieldError>> _errors = new(StringComparer.Ordinal);

    public MunicipalPolicy Policy { get; } = policy;

    public DateOnly Today { get; } = today;

    public bool IsEmpty => _errors.Count == 0;

    public IReadOnlyDictionary<string, string[]> ByPath =>
        _errors.ToDictionary(e => e.Key, e => e.Value.Select(m => m.ToString()).ToArray(), StringComparer.Ordinal);

    public void Add(string path, FieldError error)
    {
        if (!_errors.TryGetValue(path, out var list)) _errors[path] = list = [];
        list.Add(error);
    }

    /// <summary>The validation's answer for Wolverine: continue, or the 400 problem naming every field.</summary>
    public ProblemDetails ToProblem() => IsEmpty ? WolverineContinue.NoProblems : InvalidRequest.Problem(ByPath);

    /// <summary>Whether the value is there (a JSON null or an absent nullable field is not); refused as required otherwise.</summary>
    public bool Present<T>(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] T? value)
    {
        if (value is not null) return true;
        Add(path, FieldError.Required);
        return false;
    }

    /// <summary>A required string: present, not blank, at most <paramref name="max"/> long, no control characters (tabs and line breaks only in free text).</summary>
    public void Text(string path, string? value, int max, bool freeText = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(path, FieldError.Required);
            return;
        }
        if (value.Length > max) Add(path, FieldError.TooLong(max));
        if (HasRefusedCharacter(value, freeText)) Add(path, FieldError.ControlCharacters);
    }

    /// <summary>Text a person types about a person (a name, an address, a ticket, a reason): as <see cref="Text"/>, and never what looks like a My Number.</summary>
    public void PersonalText(string path, string? value, int max, bool freeText = false)
    {
        Text(path, value, max, freeText);
        if (value is not null && Renewal.MyNumbers.LooksLikeOne(value)) Add(path, FieldError.MyNumberLike);
    }

    /// <summary>Whether the text holds a character <see cref="IsRefused"/>: the one test of the command edge and of a notice file's lines.</summary>
    public static bool HasRefusedCharacter(string value, bool freeText = false)
    {
        foreach (var c in value)
        {
            if (IsRefused(c, freeText)) return true;
        }
        return false;
    }

    /// <summary>
    /// C0/C1 controls, and format characters (bidirectional overrides such as U+202E, zero-width
    /// joiners) that would change how a wall display shows the text. Tabs and line breaks only in
    /// free text (an inquiry's reason): never in a name, an address, a ticket or a notice number.
    /// </summary>
    public static bool IsRefused(char c, bool freeText = false) =>
        (!freeText || c is not ('\t' or '\n' or '\r'))
        && char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format;

    /// <summary>An office of this municipality's profile.</summary>
    public void Office(string path, string? office)
    {
        Text(path, office, 64);
        if (!string.IsNullOrWhiteSpace(office) && Policy.Offices.All(o => o.Id != office)) Add(path, FieldError.UnknownOffice(Policy));
    }

    /// <summary>A counter of the office named (when the office is one of the municipality's; an unknown office is its own error).</summary>
    public void Counter(string path, string? office, string? counter)
    {
        Text(path, counter, RequestBounds.Counter);
        if (string.IsNullOrWhiteSpace(counter) || Policy.Offices.FirstOrDefault(o => o.Id == office) is not { } known) return;
        if (!known.Counters.Contains(counter)) Add(path, FieldError.UnknownCounter(known));
    }

    /// <summary>A document kind this municipality's profile knows, or one with a role of its own (a letter of attorney, the reply form, a proof of authority): the decider's <c>unknown-document</c>, said at the edge without the value.</summary>
    public void DocumentKind(string path, string? kind)
    {
        Text(path, kind, RequestBounds.DocumentKind);
        if (!string.IsNullOrWhiteSpace(kind) && !Renewal.DocumentKinds.WithRole.Contains(kind) && Policy.Document(kind) is null)
        {
            Add(path, FieldError.UnknownDocumentKind(Policy));
        }
    }

    public void Range(string path, int value, int min, int max)
    {
        if (value < min || value > max) Add(path, FieldError.OutOfRange(min, max));
    }

    public void Date(string path, DateOnly? value, DateOnly from, DateOnly to)
    {
        if (value is { } date && (date < from || date > to)) Add(path, FieldError.DateRange(from, to));
    }

    /// <summary>A required list of <paramref name="min"/> to <paramref name="max"/> items, none null; optionally no two equal.</summary>
    public bool List<T>(string path, IReadOnlyList<T>? list, int min, int max, bool distinct = false)
    {
        if (!Present(path, list)) return false;
        if (list.Count < min || list.Count > max) Add(path, FieldError.Count(min, max));
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null) Add($"{path}[{i}]", FieldError.Required);
        }
        if (distinct && list.Distinct().Count() < list.Count) Add(path, FieldError.Duplicates);
        return true;
    }
}
