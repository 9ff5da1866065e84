using System.Reflection;

namespace CaseSystem.Cases.Policies;

/// <summary>The five municipal policy profiles, embedded as Policies/Profiles/*.json.</summary>
public static class MunicipalPolicies
{
    private const string ResourcePrefix = "Policies.";

    private static readonly Lazy<IReadOnlyDictionary<string, MunicipalPolicy>> Loaded =
        new(() => LoadComplete(EmbeddedFiles()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>All profiles by slug; the first access loads and validates them and throws <see cref="PolicyValidationException"/> if any is invalid.</summary>
    public static IReadOnlyDictionary<string, MunicipalPolicy> All => Loaded.Value;

    public static MunicipalPolicy For(string slug) =>
        All.TryGetValue(slug, out var policy)
            ? policy
            : throw new KeyNotFoundException($"No policy profile for municipality '{slug}' (known: {string.Join(", ", All.Keys)}).");

    /// <summary>Parses and validates profiles; does not require all five.</summary>
    public static IReadOnlyDictionary<string, MunicipalPolicy> Load(IEnumerable<(string FileName, string Json)> files)
    {
        var result = new Dictionary<string, MunicipalPolicy>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (fileName, json) in files)
        {
            var policy = PolicyReader.Read(fileName, json);
            if (!fileOf.TryAdd(policy.Slug, fileName))
            {
                throw new PolicyValidationException(fileName, "slug", $"'{policy.Slug}' is also the slug of {fileOf[policy.Slug]}");
            }
            result[policy.Slug] = policy;
        }
        return result;
    }

    /// <summary>As <see cref="Load"/>, and every municipality the system serves must have exactly one profile.</summary>
    public static IReadOnlyDictionary<string, MunicipalPolicy> LoadComplete(IEnumerable<(string FileName, string Json)> files)
    {
        var list = files.ToList();
        var policies = Load(list);
        var missing = Municipalities.Codes.Keys.Where(s => !policies.ContainsKey(s)).ToList();
        if (missing.Count > 0)
        {
            throw new PolicyValidationException("Policies/Profiles", null, $"no profile for {string.Join(", ", missing)} (found {list.Count} file(s): {string.Join(", ", list.Select(f => f.FileName))})");
        }
        return policies;
    }

    /// <summary>The embedded profile files, by file name (e.g. "saku.json").</summary>
    public static IReadOnlyList<(string FileName, string Json)> EmbeddedFiles()
    {
        var assembly = typeof(MunicipalPolicies).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[ResourcePrefix.Length..], Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
