using CaseSystem.Projections.Daemon;

namespace CaseSystem.Projections.Tests.Daemon;

public sealed partial class DaemonTests
{
    [Fact]
    public async Task A_municipality_sees_and_replays_the_dead_letters_of_its_own_cases_only()
    {
        // Protects (issue 14): one shard serves every municipality; an admin of one replayed (and
        // so skipped past) another's events and read their case ids.
        _board.FailOn = e => e.Data is Cases.Renewal.RenewalEvent.ArrivedAtOffice { TicketNumber: "BAD" };
        var admin = new ProjectionAdmin(_db.Store, _db.DataSource, _db.Models);
        var daemon = await StartDaemonAsync(_db.Store);
        var (saku, takatsuki) = (Guid.NewGuid(), Guid.NewGuid());
        await _db.AppendAsync("saku", saku, [Opened(), Arrived("BAD")]);
        await _db.AppendAsync("takatsuki", takatsuki, [Opened(), Arrived("BAD")]);
        await CaughtUpAsync(_db.Store);
        await WaitUntilAsync(async () => (await admin.StatusAsync()).Single(s => s.Name == _board.Name).DeadLetters == 2, "both letters are stored");

        Assert.Equal(1, (await admin.StatusAsync("takatsuki")).Single(s => s.Name == _board.Name).DeadLetters);
        Assert.Equal(takatsuki, Assert.Single(await admin.DeadLettersAsync(_board.Name, "takatsuki")).CaseId);
        Assert.Empty(await admin.DeadLettersAsync(_board.Name, "hirosaki"));
        var sakuSeq = Assert.Single(await admin.DeadLettersAsync(_board.Name, "saku")).Sequence;
        Assert.Equal("saku", await admin.MunicipalityOfAsync(sakuSeq));

        await daemon.StopAgentAsync(_board.Shard.Identity);
        _board.FailOn = _ => false;
        Assert.Equal(1, await admin.ReplayDeadLettersAsync(_board.Name, "takatsuki"));
        await daemon.StartAgentAsync(_board.Shard.Identity, CancellationToken.None);

        Assert.Empty(await admin.DeadLettersAsync(_board.Name, "takatsuki"));
        Assert.Equal(saku, Assert.Single(await admin.DeadLettersAsync(_board.Name)).CaseId);
        Assert.Equal("BAD@1", await _db.ScalarAsync<string>(
            $"select string_agg(ticket || '@' || number, ',') from {_board.Tickets} where case_id = $1", takatsuki));
        Assert.Equal(0L, await _db.ScalarAsync<long>($"select count(*) from {_board.Tickets} where case_id = $1 and ticket is not null", saku));
    }
}
