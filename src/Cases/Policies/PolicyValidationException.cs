namespace CaseSystem.Cases.Policies;

/// <summary>
/// A policy profile that cannot be used, e.g. "saku.json: offices[1].hours.monday: opens 17:15 after it closes 08:30".
/// </summary>
public sealed class PolicyValidationException : Exception
{
    public PolicyValidationException(string fileName, string? jsonPath, string problem, Exception? inner = null)
        : base($"{fileName}: {(string.IsNullOrEmpty(jsonPath) ? "" : jsonPath + ": ")}{problem}", inner)
    {
        FileName = fileName;
        JsonPath = jsonPath;
        Problem = problem;
    }

    public string FileName { get; }

    /// <summary>Where in the file, e.g. "offices[1].hours.monday"; null for the file as a whole.</summary>
    public string? JsonPath { get; }

    public string Problem { get; }
}
