using System.Globalization;
using Npgsql;

namespace CaseSystem.Benchmarks;

/// <summary>
/// Where PostgreSQL's time went in a measured window, by statement (pg_stat_statements, which the
/// bench cluster loads: ops/db), printed on '#' lines: the first place to look when a figure moves.
/// On a server without the extension loaded it says so and the benchmark goes on.
/// </summary>
internal static class StatementStats
{
    /// <summary>Starts counting afresh; false when pg_stat_statements is not loaded on this server.</summary>
    public static async Task<bool> ResetAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            await using var batch = db.CreateBatch();
            batch.BatchCommands.Add(new("create extension if not exists pg_stat_statements"));
            batch.BatchCommands.Add(new("select pg_stat_statements_reset()"));
            await batch.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    /// <summary>The statements of this database that took the most time since the reset, top level and nested (triggers, functions).</summary>
    public static async Task PrintAsync(NpgsqlDataSource db, bool counting, int top, CancellationToken ct)
    {
        if (!counting)
        {
            Console.WriteLine("# statements: pg_stat_statements is not loaded on this server (the bench cluster of ops/db loads it)");
            return;
        }
        await using var cmd = db.CreateCommand("""
            select calls, total_exec_time, toplevel, regexp_replace(query, '\s+', ' ', 'g'),
                   sum(total_exec_time) filter (where toplevel) over ()
            from pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database())
            order by total_exec_time desc limit $1
            """);
        cmd.Parameters.AddWithValue(top);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (calls, ms, topLevel, query) = (reader.GetInt64(0), reader.GetDouble(1), reader.GetBoolean(2), reader.GetString(3));
            var all = reader.IsDBNull(4) ? 0 : reader.GetDouble(4);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# statement {(all > 0 ? ms / all : 0):P0} {ms:0} ms {calls} calls{(topLevel ? "" : " (nested)")}: {(query.Length > 110 ? query[..110] + "…" : query)}"));
        }
    }
}
