using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CaseSystem.Cases.EventStore;

/// <summary>A versioned SQL migration: its id orders it ("0001_event_store"); its checksum guards it from later edits.</summary>
public sealed record Migration(string Id, string Sql)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    /// <summary>The migrations embedded in an assembly under the logical name "Migrations.&lt;id&gt;.sql".</summary>
    public static IReadOnlyList<Migration> EmbeddedIn(Assembly assembly)
    {
        const string prefix = "Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return new Migration(n[prefix.Length..^".sql".Length], reader.ReadToEnd());
            })
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>
/// Creates and upgrades the schema at start-up: each migration once, in id order, each in its own
/// transaction, all under an advisory lock so that servers starting together apply them once.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator>? logger = null)
{
    // An arbitrary constant of our own ("CaseSyst"), so no other user of advisory locks collides with it.
    private const long MigrationLock = 0x4361736553797374;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Applies the migrations not yet applied; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(IEnumerable<Migration> migrations, CancellationToken ct = default)
    {
        var ordered = migrations.OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        var duplicate = ordered.GroupBy(m => m.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two migrations have the id {duplicate.Key}");

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RequireUtf8Async(conn, ct);
        await ExecuteAsync(conn, null, $"select pg_advisory_lock({MigrationLock})", ct);
        try
        {
            await ExecuteAsync(conn, null,
                "create table if not exists public.schema_migrations (" +
                "id text primary key, checksum text not null, applied_at timestamptz not null default now())", ct);

            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("select id, checksum from public.schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) applied[reader.GetString(0)] = reader.GetString(1);
            }

            var done = new List<string>();
            foreach (var migration in ordered)
            {
                if (applied.TryGetValue(migration.Id, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"migration {migration.Id} was changed after it was applied (checksum {checksum} in the database, " +
                            $"{migration.Checksum} in the code); add a new migration instead of editing an applied one");
                    }
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await ExecuteAsync(conn, tx, migration.Sql, ct);
                await using (var record = new NpgsqlCommand("insert into public.schema_migrations (id, checksum) values ($1, $2)", conn, tx))
                {
                    record.Parameters.AddWithValue(migration.Id);
                    record.Parameters.AddWithValue(migration.Checksum);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                _logger.LogInformation("applied migration {Migration}", migration.Id);
                done.Add(migration.Id);
            }
            return done;
        }
        finally
        {
            await ExecuteAsync(conn, null, $"select pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        }
    }

    private static async Task RequireUtf8Async(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("show server_encoding", conn);
        var encoding = (string?)await cmd.ExecuteScalarAsync(ct);
        if (!string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"the database's encoding is {encoding}; CaseSystem needs a UTF8 database (event hashes are taken over UTF-8 text)");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
