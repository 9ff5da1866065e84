using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>
/// Server-side browser sessions and the revocation of ops/token's tokens (issue 14). A session
/// lasts one shift at most (<see cref="MaxLength"/>) and ends at once when its row goes: on
/// sign-out, and when an admin disables the member, changes their role or office or resets their
/// password. Every request checks the table, so there is no window in which a revoked session
/// still works (one indexed lookup per request).
/// </summary>
public sealed class StaffSessions(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>One shift: a session never outlives 12 hours, whatever signed it in.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromHours(12);

    private const string Prefix = "s1.";

    /// <summary>Starts a session for <paramref name="who"/> until its expiry or 12 hours, whichever is first; returns the cookie's value.</summary>
    public async Task<(string Id, StaffIdentity Who)> StartAsync(StaffIdentity who, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var expires = who.ExpiresAt < now + MaxLength ? who.ExpiresAt : now + MaxLength;
        var id = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var cmd = db.CreateCommand($"""
            insert into {StaffTables.Sessions.QualifiedName} (id_hash, municipality, staff_id, role, office, created_at, expires_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            """);
        cmd.Parameters.AddWithValue(Hash(id));
        cmd.Parameters.AddWithValue(who.Municipality);
        cmd.Parameters.AddWithValue(who.StaffId);
        cmd.Parameters.AddWithValue(who.Role.Name());
        cmd.Parameters.AddWithValue(who.Office);
        cmd.Parameters.AddWithValue(now);
        cmd.Parameters.AddWithValue(expires);
        await cmd.ExecuteNonQueryAsync(ct);
        // Sessions past their end are no use to anyone: cleared as new ones start.
        await using var sweep = db.CreateCommand($"delete from {StaffTables.Sessions.QualifiedName} where expires_at < $1");
        sweep.Parameters.AddWithValue(now);
        await sweep.ExecuteNonQueryAsync(ct);
        return (id, who with { ExpiresAt = expires });
    }

    /// <summary>Who the session is, or null if it never was one, ended, or expired.</summary>
    public async Task<StaffIdentity?> FindAsync(string id, CancellationToken ct = default)
    {
        if (!id.StartsWith(Prefix, StringComparison.Ordinal) || id.Length > 64) return null;
        await using var cmd = db.CreateCommand($"""
            select municipality, staff_id, role, office, expires_at from {StaffTables.Sessions.QualifiedName}
            where id_hash = $1 and expires_at > $2
            """);
        cmd.Parameters.AddWithValue(Hash(id));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || StaffRoles.Parse(r.GetString(2)) is not { } role) return null;
        return new StaffIdentity(r.GetString(1), role, r.GetString(0), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4));
    }

    public async Task EndAsync(string id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"delete from {StaffTables.Sessions.QualifiedName} where id_hash = $1");
        cmd.Parameters.AddWithValue(Hash(id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Whether a token that verified is nonetheless refused: revoked by its id, or naming a member
    /// the directory has disabled (a station's or a script's id that is no member passes).
    /// </summary>
    public async Task<bool> IsRevokedAsync(StaffIdentity who, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            select exists (select 1 from {StaffTables.RevokedTokens.QualifiedName} where jti = $1)
                or exists (select 1 from {StaffTables.Members.QualifiedName} where municipality = $2 and staff_id = $3 and disabled)
            """);
        cmd.Parameters.AddWithValue(who.TokenId ?? "");
        cmd.Parameters.AddWithValue(who.Municipality);
        cmd.Parameters.AddWithValue(who.StaffId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Revokes a token of ops/token by its id; kept until it would have expired anyway.</summary>
    public async Task RevokeTokenAsync(StaffIdentity token, string by, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            insert into {StaffTables.RevokedTokens.QualifiedName} (jti, expires_at, revoked_at, revoked_by) values ($1, $2, $3, $4)
            on conflict (jti) do nothing
            """);
        cmd.Parameters.AddWithValue(token.TokenId ?? throw new ArgumentException("The token has no id to revoke.", nameof(token)));
        cmd.Parameters.AddWithValue(token.ExpiresAt);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        cmd.Parameters.AddWithValue(by);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The demo's clock moved forward by <paramref name="by"/> (demo mode only): the sessions move
    /// with it, as the timers do, so that a day moved on signs no one out.
    /// </summary>
    public async Task ShiftAsync(TimeSpan by, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"update {StaffTables.Sessions.QualifiedName} set created_at = created_at + $1, expires_at = expires_at + $1");
        cmd.Parameters.AddWithValue(by);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static byte[] Hash(string id) => SHA256.HashData(Encoding.UTF8.GetBytes(id));
}
