using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>The JSON walk of a profile: each value with where it is, so that an error names its file and field.</summary>
internal static partial class PolicyReader
{
    /// <summary>A JSON value and where it is: file name and a path such as "offices[1].hours.monday".</summary>
    private readonly record struct Node(string File, string Path, JsonElement Element)
    {
        public PolicyValidationException Error(string problem) => new(File, Path.Length == 0 ? null : Path, problem);

        private string Child(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

        private JsonElement? Property(string name)
        {
            if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
            return Element.TryGetProperty(name, out var value) ? value : null;
        }

        /// <summary>Present and not null.</summary>
        public Node Required(string name) =>
            Property(name) is { ValueKind: not JsonValueKind.Null } value
                ? new Node(File, Child(name), value)
                : throw new PolicyValidationException(File, Child(name), "missing required field");

        /// <summary>Present (so that the file says it), but may be null.</summary>
        public Node? Nullable(string name) => Property(name) switch
        {
            null => throw new PolicyValidationException(File, Child(name), "missing field (write null if the seed does not say)"),
            { ValueKind: JsonValueKind.Null } => null,
            { } value => new Node(File, Child(name), value),
        };

        public Node? Optional(string name) =>
            Property(name) is { ValueKind: not JsonValueKind.Null } value ? new Node(File, Child(name), value) : null;

        public void Only(params string[] names)
        {
            if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
            foreach (var property in Element.EnumerateObject())
            {
                if (!names.Contains(property.Name))
                {
                    throw new PolicyValidationException(File, Child(property.Name), $"unknown field (expected one of {string.Join(", ", names)})");
                }
            }
        }

        public IEnumerable<(string Name, Node Value)> Properties()
        {
            if (Element.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(Element)}");
            var node = this;
            return Element.EnumerateObject().Select(p => (p.Name, new Node(node.File, node.Child(p.Name), p.Value))).ToList();
        }

        public IEnumerable<Node> Items()
        {
            if (Element.ValueKind != JsonValueKind.Array) throw Error($"expected an array, found {Describe(Element)}");
            var node = this;
            return Element.EnumerateArray().Select((e, i) => new Node(node.File, $"{node.Path}[{i}]", e)).ToList();
        }

        public Node Item(int index) => Items().ElementAt(index);

        public string String() =>
            Element.ValueKind == JsonValueKind.String && Element.GetString() is { Length: > 0 } s
                ? s
                : throw Error(Element.ValueKind == JsonValueKind.String ? "empty string" : $"expected a string, found {Describe(Element)}");

        public string Id()
        {
            var s = String();
            return IdPattern().IsMatch(s) ? s : throw Error($"'{s}' is not an id of lower-case letters, digits and hyphens");
        }

        public bool Bool() => Element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"expected true or false, found {Describe(Element)}"),
        };

        public int Int() =>
            Element.ValueKind == JsonValueKind.Number && Element.TryGetInt32(out var i)
                ? i
                : throw Error($"expected a whole number, found {Describe(Element)}");

        private static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"\"{e.GetString()}\"",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => e.GetRawText(),
        };
    }
}
