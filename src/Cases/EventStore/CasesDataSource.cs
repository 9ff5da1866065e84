using Npgsql;

namespace CaseSystem.Cases.EventStore;

public static class CasesDataSource
{
    /// <summary>
    /// The data source the system runs on. Statements are prepared automatically after a few
    /// uses (unless the connection string says otherwise): unprepared, every append is parsed
    /// and planned anew, which halved append throughput when measured.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString, string name = "cases")
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = name };
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        return builder.Build();
    }
}
