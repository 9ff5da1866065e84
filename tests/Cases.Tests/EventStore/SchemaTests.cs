using CaseSystem.Cases.Store.HashChain;
using CaseSystem.Cases.Tests.Support;
using Weasel.Core;

namespace CaseSystem.Cases.Tests.EventStore;

/// <summary>
/// One schema story: Marten (Weasel) owns Marten's tables and ours (the hash chain and its
/// trigger, the view log). Each test gets a database of its own (xunit makes a new instance per test).
/// </summary>
public sealed class SchemaTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private static string Describe(SchemaMigration migration) =>
        string.Join("; ", migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None).Select(d => $"{d.SchemaObject.Identifier}: {d.Difference}"));

    [Fact]
    public async Task A_migrated_database_matches_the_code_so_a_restart_changes_nothing()
    {
        var migration = await _db.Store.Storage.Database.CreateMigrationAsync();
        Assert.True(migration.Difference == SchemaPatchDifference.None, Describe(migration));
        // Our objects are among Marten's: a second apply leaves them (and the chain working).
        await _db.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from pg_trigger where tgname = 'trg_case_event_link'"));
    }

    [Fact]
    public async Task A_dropped_chain_trigger_is_found_and_put_back_by_the_next_migration()
    {
        await _db.ExecuteAsync("drop trigger trg_case_event_link on cases.mt_events");

        var migration = await _db.Store.Storage.Database.CreateMigrationAsync();
        Assert.NotEqual(SchemaPatchDifference.None, migration.Difference);
        Assert.Contains("trg_case_event_link", Describe(migration));
        await Assert.ThrowsAnyAsync<Exception>(() => _db.Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync());

        await _db.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var stream = Guid.NewGuid();
        await _db.AppendAsync("saku", stream, [Samples.Opened(), Samples.Arrived(1)]);
        Assert.True((await new ChainVerifier(_db.DataSource).VerifyStreamAsync("saku", stream))!.IsIntact);
        Assert.Equal(2L, await _db.ScalarAsync<long>("select count(*) from cases.case_event_chain where stream_id = $1", stream));
    }

    [Fact]
    public async Task A_chain_trigger_made_before_tombstones_were_left_out_is_replaced_by_the_next_migration()
    {
        // The trigger as it was before issue 14: every row of mt_events linked, Marten's tombstones too.
        await _db.ExecuteAsync("drop trigger trg_case_event_link on cases.mt_events");
        await _db.ExecuteAsync("create trigger trg_case_event_link after insert on cases.mt_events for each row execute function cases.case_event_link()");
        Assert.Contains("trg_case_event_link", Describe(await _db.Store.Storage.Database.CreateMigrationAsync()));

        await _db.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var definition = await _db.ScalarAsync<string>("select pg_get_triggerdef(oid) from pg_trigger where tgname = 'trg_case_event_link'");
        Assert.Contains($"WHEN (((new.type)::text <> '{HashChainFeature.TombstoneType}'::text))", definition);
        Assert.Equal(SchemaPatchDifference.None, (await _db.Store.Storage.Database.CreateMigrationAsync()).Difference);
        var stream = Guid.NewGuid();
        await _db.AppendAsync("saku", stream, [Samples.Opened(), Samples.Arrived(1)]);
        Assert.True((await new ChainVerifier(_db.DataSource).VerifyStreamAsync("saku", stream))!.IsIntact);
    }

    [Fact]
    public async Task A_dropped_index_of_the_view_log_is_found_and_put_back()
    {
        await _db.ExecuteAsync("drop index audit.case_views_case");
        var migration = await _db.Store.Storage.Database.CreateMigrationAsync();
        Assert.Contains("case_views", Describe(migration));
        await _db.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from pg_indexes where schemaname = 'audit' and indexname = 'case_views_case'"));
    }
}
