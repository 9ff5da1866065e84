using Npgsql;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>The test database, reached by the server through <see cref="Relay"/>.</summary>
public sealed class RelayedDatabase : TestDatabase
{
    public FlakyNetwork Relay { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString);
        Relay = new FlakyNetwork(direct.Host!, direct.Port);
        ConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = Relay.Address.Host, Port = Relay.Address.Port, Timeout = 3 }.ConnectionString;
    }
}
