using CaseSystem.Cases.EventStore;
using CaseSystem.Cases.Tests.Support;
using Npgsql;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>Each test gets a database of its own with no schema (xunit makes a new instance per test).</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private readonly EmptyTestDatabase db = new();

    public Task InitializeAsync() => db.InitializeAsync();

    public Task DisposeAsync() => db.DisposeAsync();

    private static IReadOnlyList<Migration> Embedded => Migration.EmbeddedIn(typeof(CasesModule).Assembly);

    [Fact]
    public async Task Migrations_apply_once_on_a_fresh_database_and_are_a_no_op_on_the_next_start()
    {
        Assert.Contains(Embedded, m => m.Id == "0001_event_store");
        // Two servers starting together: the advisory lock lets one apply, the other finds it done.
        var sources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(db.ConnectionString)).ToArray();
        try
        {
            var runs = await Task.WhenAll(sources.Select(s => new SchemaMigrator(s).MigrateAsync(Embedded)));
            Assert.Equal(Embedded.Select(m => m.Id), runs.SelectMany(r => r).Order());
            Assert.Equal(Embedded.Count, await db.ScalarAsync<long>("select count(*) from public.schema_migrations"));

            var second = await new SchemaMigrator(db.DataSource).MigrateAsync(Embedded);
            Assert.Empty(second);

            await db.CreateStore().For("saku").AppendAsync(Guid.NewGuid(), ExpectedVersion.NoStream, [Samples.Opened()]);
        }
        finally
        {
            foreach (var s in sources) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_stops_the_start()
    {
        var migrator = new SchemaMigrator(db.DataSource);
        await migrator.MigrateAsync(Embedded);
        var edited = Embedded.Select(m => m.Id == "0001_event_store" ? m with { Sql = m.Sql + "\n-- edited" } : m);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(edited));
        Assert.Contains("0001_event_store", e.Message);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_behind()
    {
        var migrator = new SchemaMigrator(db.DataSource);
        await migrator.MigrateAsync(Embedded);
        var broken = Embedded.Append(new Migration("9999_broken", "create table half_done (id int); select 1/0;"));
        await Assert.ThrowsAsync<PostgresException>(() => migrator.MigrateAsync(broken));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from pg_tables where tablename = 'half_done'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from public.schema_migrations where id = '9999_broken'"));
    }
}
