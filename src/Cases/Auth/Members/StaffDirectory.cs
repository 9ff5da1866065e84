using Npgsql;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>A member of a municipality's staff directory, as the admin page shows them (never their password hash).</summary>
public sealed record StaffMember(string Municipality, string StaffId, string Name, StaffRole Role, string Office, bool Disabled,
    DateTimeOffset? LockedUntil, DateTimeOffset ChangedAt);

/// <summary>How a sign-in with a password ended. Refused and locked look the same to the one signing in.</summary>
public enum SignInOutcome { SignedIn, Refused, Locked }

/// <summary>
/// The embedded staff directory (issue 14): members with an Argon2id password hash, managed by a
/// municipality's admin. A member locked after <see cref="MaxFailures"/> wrong passwords waits
/// <see cref="LockFor"/>; disabling a member, changing their role or office, or resetting their
/// password ends their sessions in the same transaction, so nothing they signed in with still works.
/// </summary>
public sealed class StaffDirectory(NpgsqlDataSource db, TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);

    // Verified against when the member does not exist, so that an unknown id takes as long as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => PasswordHasher.Hash(PasswordHasher.Temporary()));

    private static string T(Weasel.Core.DbObjectName name) => name.QualifiedName;

    public Task<IReadOnlyList<StaffMember>> ListAsync(string municipality, CancellationToken ct = default) =>
        MembersAsync(municipality, null, ct);

    /// <summary>One member, read by the key (not the municipality's whole directory).</summary>
    public async Task<StaffMember?> FindAsync(string municipality, string staffId, CancellationToken ct = default) =>
        (await MembersAsync(municipality, staffId, ct)).SingleOrDefault();

    private async Task<IReadOnlyList<StaffMember>> MembersAsync(string municipality, string? staffId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            select municipality, staff_id, name, role, office, disabled, locked_until, changed_at
            from {T(StaffTables.Members)} where municipality = $1 {(staffId is null ? "" : "and staff_id = $2")} order by staff_id
            """);
        cmd.Parameters.AddWithValue(municipality);
        if (staffId is not null) cmd.Parameters.AddWithValue(staffId);
        var members = new List<StaffMember>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) members.Add(Read(r));
        return members;
    }

    /// <summary>Adds a member with a temporary password, returned once; null when the id is taken.</summary>
    public async Task<string?> AddAsync(string municipality, string staffId, string name, StaffRole role, string office, string by,
        CancellationToken ct = default)
    {
        var password = PasswordHasher.Temporary();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand($"""
            insert into {T(StaffTables.Members)} (municipality, staff_id, name, role, office, password_hash, changed_at)
            values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing
            """, tx.Connection, tx))
        {
            cmd.Parameters.AddWithValue(municipality);
            cmd.Parameters.AddWithValue(staffId);
            cmd.Parameters.AddWithValue(name);
            cmd.Parameters.AddWithValue(role.Name());
            cmd.Parameters.AddWithValue(office);
            cmd.Parameters.AddWithValue(PasswordHasher.Hash(password));
            cmd.Parameters.AddWithValue(clock.GetUtcNow());
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        await LogAsync(tx, municipality, staffId, $"added as {role.Name()} at {office}", by, ct);
        await tx.CommitAsync(ct);
        return password;
    }

    /// <summary>Changes what is given; any change of role, office or standing ends the member's sessions. Null when there is no such member.</summary>
    public async Task<StaffMember?> UpdateAsync(string municipality, string staffId, string? name, StaffRole? role, string? office, bool? disabled,
        string by, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand($"""
            update {T(StaffTables.Members)} set name = coalesce($3, name), role = coalesce($4, role), office = coalesce($5, office),
                disabled = coalesce($6, disabled), changed_at = $7,
                failed_sign_ins = case when $6 = false then 0 else failed_sign_ins end,
                locked_until = case when $6 = false then null else locked_until end
            where municipality = $1 and staff_id = $2
            """, tx.Connection, tx))
        {
            cmd.Parameters.AddWithValue(municipality);
            cmd.Parameters.AddWithValue(staffId);
            cmd.Parameters.Add(new() { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)role?.Name() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)office ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)disabled ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
            cmd.Parameters.AddWithValue(clock.GetUtcNow());
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        var what = string.Join(", ", new[]
        {
            name is null ? null : "name changed",
            role is { } r ? $"role {r.Name()}" : null,
            office is null ? null : $"office {office}",
            disabled switch { true => "disabled", false => "enabled", null => null },
        }.OfType<string>());
        if (role is not null || office is not null || disabled is not null) await EndSessionsAsync(tx, municipality, staffId, ct);
        await LogAsync(tx, municipality, staffId, what, by, ct);
        await tx.CommitAsync(ct);
        return await FindAsync(municipality, staffId, ct);
    }

    /// <summary>A new temporary password, returned once; the member's sessions end and any lock is lifted. Null when there is no such member.</summary>
    public async Task<string?> ResetPasswordAsync(string municipality, string staffId, string by, CancellationToken ct = default)
    {
        var password = PasswordHasher.Temporary();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await SetPasswordAsync(tx, municipality, staffId, PasswordHasher.Hash(password), ct)) return null;
        await EndSessionsAsync(tx, municipality, staffId, ct);
        await LogAsync(tx, municipality, staffId, "password reset", by, ct);
        await tx.CommitAsync(ct);
        return password;
    }

    /// <summary>The member's own change of password; false when the current one is wrong (counted as a failed sign-in).</summary>
    public async Task<bool> ChangePasswordAsync(string municipality, string staffId, string current, string next, CancellationToken ct = default)
    {
        if (await SignInAsync(municipality, staffId, current, ct) is not (SignInOutcome.SignedIn, _)) return false;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetPasswordAsync(tx, municipality, staffId, PasswordHasher.Hash(next), ct);
        await LogAsync(tx, municipality, staffId, "password changed", staffId, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Checks a password; counts failures and locks the member after <see cref="MaxFailures"/> of them.</summary>
    public async Task<(SignInOutcome Outcome, StaffMember? Member)> SignInAsync(string municipality, string staffId, string password,
        CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        string? hash = null;
        StaffMember? member = null;
        await using (var cmd = db.CreateCommand($"""
            select municipality, staff_id, name, role, office, disabled, locked_until, changed_at, password_hash
            from {T(StaffTables.Members)} where municipality = $1 and staff_id = $2
            """))
        {
            cmd.Parameters.AddWithValue(municipality);
            cmd.Parameters.AddWithValue(staffId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) (member, hash) = (Read(r), r.GetString(8));
        }
        var matches = PasswordHasher.Verify(password, hash ?? Decoy.Value);
        if (member is null || member.Disabled) return (SignInOutcome.Refused, null);
        if (member.LockedUntil > now) return (SignInOutcome.Locked, null);
        await using var update = db.CreateCommand(matches
            ? $"update {T(StaffTables.Members)} set failed_sign_ins = 0, locked_until = null where municipality = $1 and staff_id = $2"
            : $"""
              update {T(StaffTables.Members)} set failed_sign_ins = (failed_sign_ins + 1) % {MaxFailures},
                  locked_until = case when failed_sign_ins + 1 >= {MaxFailures} then $3 else locked_until end
              where municipality = $1 and staff_id = $2
              """);
        update.Parameters.AddWithValue(municipality);
        update.Parameters.AddWithValue(staffId);
        update.Parameters.AddWithValue(now + LockFor);
        await update.ExecuteNonQueryAsync(ct);
        return matches ? (SignInOutcome.SignedIn, member) : (SignInOutcome.Refused, null);
    }

    private async Task<bool> SetPasswordAsync(NpgsqlTransaction tx, string municipality, string staffId, string hash, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            update {T(StaffTables.Members)} set password_hash = $3, failed_sign_ins = 0, locked_until = null, changed_at = $4
            where municipality = $1 and staff_id = $2
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue(municipality);
        cmd.Parameters.AddWithValue(staffId);
        cmd.Parameters.AddWithValue(hash);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task EndSessionsAsync(NpgsqlTransaction tx, string municipality, string staffId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"delete from {T(StaffTables.Sessions)} where municipality = $1 and staff_id = $2", tx.Connection, tx);
        cmd.Parameters.AddWithValue(municipality);
        cmd.Parameters.AddWithValue(staffId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task LogAsync(NpgsqlTransaction tx, string municipality, string staffId, string what, string by, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            insert into {T(StaffTables.Changes)} (municipality, staff_id, what, by_staff, at) values ($1, $2, $3, $4, $5)
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue(municipality);
        cmd.Parameters.AddWithValue(staffId);
        cmd.Parameters.AddWithValue(what);
        cmd.Parameters.AddWithValue(by);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static StaffMember Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), StaffRoles.Parse(r.GetString(3)) ?? StaffRole.Clerk, r.GetString(4), r.GetBoolean(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7));
}
