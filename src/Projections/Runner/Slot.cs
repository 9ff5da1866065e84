namespace CaseSystem.Projections.Runner;

internal enum LaneKind { Live, CatchUp }

/// <summary>
/// One generation of one projection as this process runs it: where it stands in the log
/// (applied in memory, and checkpointed in the database), which lane reads for it, and
/// whether it is paused.
/// </summary>
internal sealed class Slot(IProjection projection, int generation, string schema, bool active, long checkpoint)
{
    public IProjection Projection { get; } = projection;
    public int Generation { get; } = generation;
    public string Schema { get; } = schema;
    private readonly ProjectionWriterOptions _options = new(active, startsEmpty: checkpoint == 0);
    private IProjectionWriter? _writer;

    public IProjectionWriter Writer => _writer ??= Projection.CreateWriter(Schema, _options);

    /// <summary>Serves queries (state 'active'), or is being built beside the one that does.</summary>
    public bool Active
    {
        get => _options.Live;
        set => _options.Live = value;
    }

    /// <summary>Written in the database with the read model: everything up to here is in its tables.</summary>
    public long Checkpoint { get; set; } = checkpoint;

    /// <summary>Applied to the writer's memory; ahead of <see cref="Checkpoint"/> between flushes.</summary>
    public long AppliedThrough { get; set; } = checkpoint;

    public long EventsSinceFlush { get; set; }
    public DateTimeOffset LastFlush { get; set; } = DateTimeOffset.UtcNow;

    public bool Paused { get; set; }
    public long? SkipSeq { get; set; }

    /// <summary>After a write failed, events go one per transaction up to here, so the failure is pinned on one event.</summary>
    public long SingleStepThrough { get; set; }

    public LaneKind Lane { get; set; }

    /// <summary>Set false when this process lost the projection's lock: no lane touches the slot again.</summary>
    public bool Owned { get; set; } = true;

    public string Key => $"{Projection.Name}#{Generation}";

    public void ForgetUnflushed()
    {
        Writer.Reset();
        AppliedThrough = Checkpoint;
        EventsSinceFlush = 0;
    }
}
