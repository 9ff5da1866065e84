using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace CaseSystem.Cases.Renewal;

/// <summary>
/// Defence in depth behind the API's validation: a command that could only make an event with a
/// hole in it (a null or blank text, a missing holder or list, an enum value that is no name) is
/// refused by the decider before any event is made, whoever sent it (the API, the notice import,
/// a timer, a test). Checks the command's shape only; what is allowed is the rules' business.
/// </summary>
public static class CommandGuard
{
    public static readonly Rule Malformed = new("malformed-command", Rule.Seeds.DomainDefaults,
        "コマンドに欠けた項目または不正な値があります。", "The command has a missing or impossible value.");

    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, bool Nullable)[]> Shapes = new();

    /// <summary>The command, if whole; else a <see cref="RuleViolation"/> naming the first hole (never its value).</summary>
    public static RenewalCommand Checked(RenewalCommand command)
    {
        Check(command, command.GetType().Name, depth: 0);
        return command;
    }

    private static void Check(object value, string path, int depth)
    {
        if (depth > 4) return;
        foreach (var (property, nullable) in Shapes.GetOrAdd(value.GetType(), ShapeOf))
        {
            var at = $"{path}.{property.Name}";
            var v = property.GetValue(value);
            switch (v)
            {
                case null when !nullable:
                    throw new RuleViolation(Malformed, at);
                case string s when string.IsNullOrWhiteSpace(s):
                    throw new RuleViolation(Malformed, at);
                case Enum e when !Enum.IsDefined(e.GetType(), e):
                    throw new RuleViolation(Malformed, at);
                case IEnumerable items and not string:
                    var i = 0;
                    foreach (var item in items) CheckItem(item, $"{at}[{i++}]", depth);
                    break;
                case not null when IsRecordOfTheDomain(v.GetType()):
                    Check(v, at, depth + 1);
                    break;
            }
        }
    }

    private static void CheckItem(object? item, string at, int depth)
    {
        switch (item)
        {
            case null:
            case string s when string.IsNullOrWhiteSpace(s):
            case Enum e when !Enum.IsDefined(e.GetType(), e):
                throw new RuleViolation(Malformed, at);
            case not null when IsRecordOfTheDomain(item.GetType()):
                Check(item, at, depth + 1);
                break;
        }
    }

    private static bool IsRecordOfTheDomain(Type type) => type.Namespace == typeof(RenewalCommand).Namespace && type.IsClass;

    private static (PropertyInfo, bool)[] ShapeOf(Type type)
    {
        var nullability = new NullabilityInfoContext(); // not thread-safe: one per type's first look
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => (p, p.PropertyType.IsValueType
                ? Nullable.GetUnderlyingType(p.PropertyType) is not null
                : nullability.Create(p).ReadState == NullabilityState.Nullable))];
    }
}
