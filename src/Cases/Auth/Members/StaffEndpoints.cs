using System.Text.RegularExpressions;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Api.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>
/// The staff directory over HTTP, for the municipality's admin (the /staff page): list, add,
/// change role, office or name, disable and enable, reset a password; and every member's own
/// change of password. A temporary password is in the answer once and stored only as its hash.
/// </summary>
public static partial class StaffEndpoints
{
    public static readonly Problems.Kind StaffIdTaken = new("urn:casesystem:problem:staff-id-taken", StatusCodes.Status409Conflict,
        "この職員IDはすでに登録されています。/ This staff id is already in the directory.");
    public static readonly Problems.Kind StaffNotFound = new("urn:casesystem:problem:staff-not-found", StatusCodes.Status404NotFound,
        "この職員IDは名簿にありません。/ No staff member with this id.");
    public static readonly Problems.Kind OwnStanding = new("urn:casesystem:problem:staff-own-standing", StatusCodes.Status409Conflict,
        "自分自身の役割の変更や無効化はできません(他の管理者が行います)。/ Admins do not change their own role or disable themselves; another admin does.");
    public static readonly Problems.Kind WrongPassword = new("urn:casesystem:problem:wrong-password", StatusCodes.Status403Forbidden,
        "現在のパスワードが違うか、ロックされています。/ The current password is wrong, or the account is locked.");

    /// <summary>The roles a person holds; stations and displays sign in with ops/token's tokens, not passwords.</summary>
    public static readonly StaffRole[] PersonRoles = [StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Analyst, StaffRole.Admin];

    public sealed record NewMember(string? StaffId, string? Name, string? Role, string? Office);

    public sealed record MemberChange(string? Name, string? Role, string? Office, bool? Disabled);

    public sealed record PasswordChange(string? Current, string? Next);

    /// <summary>A member's one-time password, shown once to the admin who added or reset them.</summary>
    public sealed record StaffCredentials(string StaffId, string TemporaryPassword);

    public static RouteGroupBuilder MapStaffDirectory(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/staff", async (string municipality, StaffDirectory directory, CancellationToken ct) =>
            Results.Ok(await directory.ListAsync(municipality, ct))).Produces<IReadOnlyList<StaffMember>>().RequireStaff(StaffRole.Admin);

        tenant.MapPost("/staff", async (string municipality, NewMember? body, HttpContext http, StaffDirectory directory, TimeProvider clock,
            CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            if (body is null) errors.Add("", FieldError.BodyRequired);
            else
            {
                StaffId(errors, body.StaffId);
                errors.Text("name", body.Name, 60);
                Role(errors, body.Role);
                errors.Office("office", body.Office);
            }
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            var password = await directory.AddAsync(municipality, body!.StaffId!, body.Name!.Trim(), StaffRoles.Parse(body.Role)!.Value, body.Office!,
                http.Staff().StaffId, ct);
            return password is null
                ? Problems.Result(StaffIdTaken)
                : Results.Created($"/api/{municipality}/staff/{body.StaffId}", new StaffCredentials(body.StaffId!, password));
        }).Produces<StaffCredentials>(StatusCodes.Status201Created).Refuses(StaffIdTaken).RequireStaff(StaffRole.Admin);

        tenant.MapPatch("/staff/{staffId}", async (string municipality, string staffId, MemberChange? body, HttpContext http,
            StaffDirectory directory, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            if (body is null) errors.Add("", FieldError.BodyRequired);
            else
            {
                if (body.Name is not null) errors.Text("name", body.Name, 60);
                if (body.Role is not null) Role(errors, body.Role);
                if (body.Office is not null) errors.Office("office", body.Office);
            }
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            if (staffId == http.Staff().StaffId && (body!.Role is not null || body.Disabled == true)) return Problems.Result(OwnStanding);
            var member = await directory.UpdateAsync(municipality, staffId, body!.Name?.Trim(), StaffRoles.Parse(body.Role), body.Office, body.Disabled,
                http.Staff().StaffId, ct);
            return member is null ? Problems.Result(StaffNotFound) : Results.Ok(member);
        }).Produces<StaffMember>().Refuses(StaffNotFound, OwnStanding).RequireStaff(StaffRole.Admin);

        tenant.MapPost("/staff/{staffId}/password-reset", async (string municipality, string staffId, HttpContext http, StaffDirectory directory,
            CancellationToken ct) =>
            await directory.ResetPasswordAsync(municipality, staffId, http.Staff().StaffId, ct) is { } password
                ? Results.Ok(new StaffCredentials(staffId, password))
                : Problems.Result(StaffNotFound)).Produces<StaffCredentials>().Refuses(StaffNotFound).RequireStaff(StaffRole.Admin);

        tenant.MapPost("/staff/me/password", async (string municipality, PasswordChange? body, HttpContext http, StaffDirectory directory,
            TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            if (string.IsNullOrEmpty(body?.Current)) errors.Add("current", FieldError.Required);
            if (body?.Next is not { Length: >= PasswordHasher.MinLength and <= PasswordHasher.MaxLength }) errors.Add("next", PasswordLength);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            return await directory.ChangePasswordAsync(municipality, http.Staff().StaffId, body!.Current!, body.Next!, ct)
                ? Results.NoContent()
                : Problems.Result(WrongPassword);
        }).Produces(StatusCodes.Status204NoContent).Refuses(WrongPassword).RequireStaff();
        return tenant;
    }

    private static readonly FieldError PasswordLength = new($"{PasswordHasher.MinLength}〜{PasswordHasher.MaxLength}文字で指定してください",
        $"From {PasswordHasher.MinLength} to {PasswordHasher.MaxLength} characters");

    private static void StaffId(RequestErrors errors, string? id)
    {
        if (id is null || !StaffIdPattern().IsMatch(id))
        {
            errors.Add("staffId", new FieldError("英小文字・数字・「.」「_」「-」の40文字以内(先頭は英数字)で指定してください",
                "Up to 40 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
    }

    private static void Role(RequestErrors errors, string? role)
    {
        if (StaffRoles.Parse(role) is not { } parsed || !PersonRoles.Contains(parsed))
        {
            errors.Add("role", FieldError.OneOf([.. PersonRoles.Select(r => r.Name())]));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,39}$")]
    private static partial Regex StaffIdPattern();
}
