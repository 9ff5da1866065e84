using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.Support;
using CaseSystem.Projections.Runner;

namespace CaseSystem.Projections.Tests.Support;

/// <summary>A test database with the event store's and the projections' schemas.</summary>
public class ProjectionsDatabase : TestDatabase
{
    protected override IEnumerable<Migration> Migrations => Migration.EmbeddedIn(typeof(ProjectionDaemon).Assembly);
}
