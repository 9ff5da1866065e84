namespace CaseSystem.Cases.EventStore;

/// <summary>What the writer believes the stream's version is: no stream yet, exactly N events, or any.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    /// <summary>-1 for any, 0 for no stream, N for exactly N events.</summary>
    internal long Value { get; }

    public static ExpectedVersion Any { get; } = new(-1);
    public static ExpectedVersion NoStream { get; } = new(0);

    public static ExpectedVersion Exactly(long version) => version switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(version), version, "a stream version is 0 or more"),
        _ => new(version),
    };

    public override string ToString() => Value switch
    {
        -1 => "any",
        0 => "no stream",
        var n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
