using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Api.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Projections.Worklists;

public static class WorklistsEndpoint
{
    /// <summary>
    /// GET /api/{municipality}/worklists/{list}?office=&amp;limit=&amp;days= for clerks and supervisors:
    /// list one of <see cref="Worklist.All"/>, office one of the profile's, limit 1–200 (50),
    /// days 1–365 (30, expiring-no-visit only). Today is the municipality's date by the server's
    /// clock; "mine" is the staff member of the token. A wrong parameter is a 400 naming it.
    /// </summary>
    public static RouteGroupBuilder MapWorklists(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/worklists/{list}", async (string municipality, string list, string? office, string? limit, string? days,
            HttpContext http, WorklistsQuery worklists, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            if (!Worklist.All.Contains(list)) errors.Add("list", FieldError.OneOf(Worklist.All));
            if (!string.IsNullOrWhiteSpace(office)) errors.Office("office", office.Trim());
            var count = ReadQuery.Limit(errors, "limit", limit, ReadQuery.DefaultLimit, ReadQuery.MaxLimit);
            var near = ReadQuery.Limit(errors, "days", days, Worklist.DefaultDays, Worklist.MaxDays);
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            var request = new WorklistRequest(list, JapanTime.DateOf(clock.GetUtcNow()), http.Staff().StaffId,
                string.IsNullOrWhiteSpace(office) ? null : office.Trim(), count, near);
            return Results.Ok(await worklists.ListAsync(municipality, request, ct));
        }).Produces<WorklistPage>().RequireStaff(StaffRole.Clerk, StaffRole.Supervisor);
        return tenant;
    }
}
