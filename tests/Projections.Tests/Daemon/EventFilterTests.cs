using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Daemon;
using JasperFx.Events;
using JasperFx.Events.Projections;

namespace CaseSystem.Projections.Tests.Daemon;

/// <summary>
/// A read model that names the event types it reads (<c>Reads</c>) is never handed the others by
/// the daemon: each of those must be one its fold ignores, in every state a case can be in, or a
/// rebuild and the live fold would differ from a fold of the whole stream.
/// </summary>
public sealed class EventFilterTests
{
    /// <summary>Every read model's own fold, a group's members each (the group hands each member only the types it reads).</summary>
    private static IEnumerable<IReadModel> Folds() =>
        new CaseSystem.Projections.Daemon.ReadModels().All.SelectMany(m => m is ReadModelGroup group ? group.Members : [m]);

    public static IEnumerable<object[]> FilteredReadModels() =>
        Folds().Where(m => ((ProjectionBase)m).IncludedEventTypes.Count > 0).Select(m => new object[] { m.Name });

    [Fact]
    public void The_queue_board_the_renewal_report_and_the_worklists_read_only_some_event_types_and_the_case_finder_all()
    {
        Assert.Equal(["queue-board", "renewal-report", "worklists"], FilteredReadModels().Select(m => (string)m[0]));
        // The group of the case views reads what its members read together: every type, for the finder.
        Assert.Empty(((ProjectionBase)new CaseSystem.Projections.Daemon.ReadModels().CaseViews).IncludedEventTypes);
    }

    [Theory]
    [MemberData(nameof(FilteredReadModels))]
    public void An_event_of_a_type_a_read_model_does_not_read_changes_nothing_in_any_state_of_a_case(string name)
    {
        var model = (IFoldsOneEvent)Folds().Single(m => m.Name == name);
        var read = ((ProjectionBase)model).IncludedEventTypes.ToHashSet();
        var examples = EventExamples.All;
        var ignored = examples.Where(e => !read.Contains(e.GetType())).ToList();
        Assert.NotEmpty(ignored);

        // Every state the read types lead a case through, from none at all.
        object? state = null;
        var sequence = 0L;
        foreach (var step in examples.Where(e => read.Contains(e.GetType())).Prepend(null))
        {
            if (step is not null) state = model.FoldOne(state, Stored(step, ++sequence));
            foreach (var e in ignored)
            {
                Assert.True(ReferenceEquals(state, model.FoldOne(state, Stored(e, sequence + 1))),
                    $"{name} does not read {e.GetType().Name}, yet its fold changes a case's state with it (after {step?.GetType().Name ?? "no event"})");
            }
        }
    }

    private static readonly Guid CaseId = Guid.NewGuid();

    private static IEvent Stored(RenewalEvent e, long sequence) =>
        new Event<RenewalEvent>(e) { Sequence = sequence, Version = sequence, StreamId = CaseId, TenantId = "saku" };
}
