using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>The offices of a profile: their hours, breaks, closures and counters.</summary>
internal static partial class PolicyReader
{
    private static OfficePolicy Office(Node node, ProfileContext context)
    {
        node.Only("id", "kind", "nameJa", "ward", "counters", "hoursSource", "hours", "nationalHolidayHours", "breaks", "closures", "holidayOpenings");
        var id = node.Required("id").Id();
        var kindNode = node.Required("kind");
        var kind = OfficeKinds.TryGetValue(kindNode.String(), out var k)
            ? k
            : throw kindNode.Error($"unknown office kind '{kindNode.String()}' (expected {string.Join(", ", OfficeKinds.Keys)})");
        var hoursSource = context.Source(node.Optional("hoursSource"));

        var hours = new Dictionary<DayOfWeek, ReceptionHours>();
        foreach (var (name, value) in node.Required("hours").Properties())
        {
            if (!Weekdays.TryGetValue(name, out var day))
            {
                throw value.Error($"unknown weekday '{name}' (expected {string.Join(", ", Weekdays.Keys)})");
            }
            hours[day] = Hours(value);
        }
        if (hours.Count == 0) throw node.Required("hours").Error("no reception day at all");
        var holidayHoursNode = node.Optional("nationalHolidayHours");
        var holidayHours = holidayHoursNode is { } hn ? Hours(hn) : null;

        var closures = new List<OfficeClosure>();
        foreach (var c in node.Optional("closures")?.Items() ?? [])
        {
            c.Only("kind", "rule", "source", "noteJa");
            var kindOf = c.Required("kind");
            if (!ClosureKinds.TryGetValue(kindOf.String(), out var closureKind))
            {
                throw kindOf.Error($"unknown closure kind '{kindOf.String()}' (expected {string.Join(", ", ClosureKinds.Keys)})");
            }
            if (closures.Any(x => x.Kind == closureKind)) throw kindOf.Error($"closure '{kindOf.String()}' is listed twice");
            var fallback = closureKind switch
            {
                ClosureKind.NationalHolidays => $"{context.Slug}-national-holiday-closure",
                ClosureKind.YearEnd => $"{context.Slug}-year-end-closure",
                _ => $"{context.Slug}-{id}-third-weekend",
            };
            closures.Add(new OfficeClosure(closureKind, context.RuleId(c.Optional("rule"), fallback), context.Source(c.Optional("source")), c.Optional("noteJa")?.String()));
        }
        var closedOnHolidays = closures.Any(c => c.Kind == ClosureKind.NationalHolidays);
        if (closedOnHolidays == (holidayHours is not null))
        {
            throw (holidayHoursNode ?? node).Error(closedOnHolidays
                ? "nationalHolidayHours given although the office has a national-holidays closure"
                : "say how national holidays are handled: a national-holidays closure or nationalHolidayHours");
        }

        var breaks = new List<ReceptionBreak>();
        foreach (var b in node.Optional("breaks")?.Items() ?? [])
        {
            b.Only("rule", "source", "from", "to");
            var from = Time(b.Required("from"));
            var to = Time(b.Required("to"));
            if (to <= from) throw b.Error($"break ends at {to:HH\\:mm}, not after it starts at {from:HH\\:mm}");
            var days = hours.Select(h => (Name: Weekdays.First(w => w.Value == h.Key).Key, Hours: h.Value));
            if (holidayHours is not null) days = days.Append(("national holidays", holidayHours));
            foreach (var (dayName, h) in days)
            {
                if (from < h.Opens || to > h.Closes)
                {
                    throw b.Error($"break {from:HH\\:mm}–{to:HH\\:mm} lies outside the {dayName} hours {h}");
                }
            }
            breaks.Add(new ReceptionBreak(context.RuleId(b.Optional("rule"), $"{context.Slug}-{id}-break"), context.Source(b.Optional("source")), from, to));
        }

        var possible = false;
        var openings = new List<SpecialOpening>();
        if (node.Optional("holidayOpenings") is { } ho)
        {
            ho.Only("possible", "dates");
            possible = ho.Required("possible").Bool();
            foreach (var o in ho.Required("dates").Items())
            {
                if (!possible) throw o.Error("a holiday opening is listed although possible is false");
                o.Only("date", "opens", "closes");
                var dateNode = o.Required("date");
                var date = Date(dateNode);
                if (openings.Any(x => x.Date == date)) throw dateNode.Error($"{date:yyyy-MM-dd} is listed twice");
                openings.Add(new SpecialOpening(date, Hours(o, checkFields: false)));
            }
        }

        return new OfficePolicy(context.Slug, id, kind, node.Required("nameJa").String(), hoursSource, hours, holidayHours,
            breaks, closures, possible, openings) { Ward = node.Optional("ward")?.String(), Counters = Counters(node.Optional("counters")) };
    }

    /// <summary>The office's counters (窓口) a clerk calls tickets to: names, at least one, none twice; the default when not listed.</summary>
    private static IReadOnlyList<string> Counters(Node? node)
    {
        if (node is not { } list) return OfficePolicy.DefaultCounters;
        var names = new List<string>();
        foreach (var item in list.Items())
        {
            var name = item.String();
            if (string.IsNullOrWhiteSpace(name) || name.Length > OfficePolicy.MaxCounterNameLength)
            {
                throw item.Error($"a counter's name is 1 to {OfficePolicy.MaxCounterNameLength} characters");
            }
            if (names.Contains(name)) throw item.Error($"counter '{name}' is listed twice");
            names.Add(name);
        }
        return names.Count > 0 ? names : throw list.Error("an office has at least one counter");
    }

    private static ReceptionHours Hours(Node node, bool checkFields = true)
    {
        if (checkFields) node.Only("opens", "closes");
        var opens = Time(node.Required("opens"));
        var closes = Time(node.Required("closes"));
        if (opens > closes) throw node.Error($"opens {opens:HH\\:mm} after it closes {closes:HH\\:mm}");
        if (opens == closes) throw node.Error($"opens and closes at the same time {opens:HH\\:mm}");
        return new ReceptionHours(opens, closes);
    }

    private static TimeOnly Time(Node node)
    {
        var text = node.String();
        return TimePattern().IsMatch(text)
            ? TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture)
            : throw node.Error($"'{text}' is not a time in HH:mm (00:00–23:59)");
    }

    private static DateOnly Date(Node node)
    {
        var text = node.String();
        return DatePattern().IsMatch(text) && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw node.Error($"'{text}' is not a date in yyyy-MM-dd");
    }
}
