using CaseSystem.Cases.Api.OpenApi;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Store;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Cases.Api;

public sealed record EventView(long Sequence, long Version, string Type, object Data, DateTimeOffset RecordedAt, string? Actor, string? Office, string? Command);

/// <summary>A case as read: its events, the state they fold to and the version that state is at.</summary>
public sealed record LoadedCase(Guid CaseId, RenewalState State, long Version, IReadOnlyList<IEvent> Events)
{
    public bool Exists => Version > 0;

    /// <summary>The case in its municipality (Marten's tenant); a case of another municipality is not there.</summary>
    public static async Task<LoadedCase> ReadAsync(IDocumentStore store, string municipality, Guid caseId, CancellationToken ct)
    {
        await using var session = store.QuerySession(municipality);
        var events = await session.Events.FetchStreamAsync(caseId, token: ct);
        return new LoadedCase(caseId, RenewalState.Fold(events.Select(e => e.Data).OfType<RenewalEvent>()), events.Count == 0 ? 0 : events[^1].Version, events);
    }

    /// <summary>The case as it stood at a moment: replayed by when things happened at the counter (each event's At).</summary>
    public LoadedCase AsOf(DateTimeOffset moment)
    {
        var upTo = Events.TakeWhile(e => e.Data is RenewalEvent r && r.At <= moment).ToList();
        return new LoadedCase(CaseId, RenewalState.Fold(upTo.Select(e => (RenewalEvent)e.Data)), upTo.Count == 0 ? 0 : upTo[^1].Version, upTo);
    }
}

/// <summary>Who acted, where and by which command, from an event's metadata.</summary>
public static class EventHeaders
{
    public static string? Office(this IEvent e) => e.Headers?.GetValueOrDefault(CaseStore.Headers.Office)?.ToString();

    public static string? Command(this IEvent e) => e.Headers?.GetValueOrDefault(CaseStore.Headers.Command)?.ToString();
}

/// <summary>
/// The case's reads. A read carries an ETag (the case's version), which a command may send back
/// as If-Match; every read of a case's personal data is logged.
/// </summary>
public static class CaseEndpoints
{
    public static RouteGroupBuilder MapCaseEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/notices", Notices.NoticeImport.ImportAsync).Accepts<string>("text/csv").Produces<Notices.NoticeImportReport>()
            .Refuses(Problems.BadRequest, Problems.BadCsv, Problems.BadCsvColumns, Problems.BadCsvEncoding, Problems.NoticeFileTooLarge)
            .RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Admin);
        // Cases hold personal data: no analyst reads them.
        api.MapGet("/cases/{caseId:guid}", GetCaseAsync).Produces<CaseView>().RequireStaff(StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station);
        api.MapGet("/cases/{caseId:guid}/events", GetEventsAsync).Produces<IReadOnlyList<EventView>>().RequireStaff(StaffRole.Clerk, StaffRole.Supervisor);
        return api;
    }

    /// <summary>The case now, or as it stood at <paramref name="asOf"/> (its events up to then, its checklist for that day).</summary>
    private static async Task<IResult> GetCaseAsync(string municipality, Guid caseId, DateTimeOffset? asOf, HttpContext http,
        IDocumentStore store, CaseViewLog views, TimeProvider clock, CancellationToken ct)
    {
        var loaded = await LoadedCase.ReadAsync(store, municipality, caseId, ct);
        if (asOf is { } moment) loaded = loaded.AsOf(moment);
        if (loaded.State is RenewalState.NoCase) return Problems.Result(Problems.StreamNotFound);
        await views.RecordAsync(http, municipality, caseId, asOf is null ? "case" : "case-as-of", ct);
        var etag = ETags.Of(loaded.Version);
        if (asOf is null && http.Request.Headers.IfNoneMatch.Contains(etag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        if (asOf is null) http.Response.Headers.ETag = etag;
        return Results.Ok(CaseView.Of(caseId, loaded.State, loaded.Version, JapanTime.DateOf(asOf ?? clock.GetUtcNow()),
            Policies.MunicipalPolicies.For(municipality)));
    }

    private static async Task<IResult> GetEventsAsync(string municipality, Guid caseId, HttpContext http, IDocumentStore store,
        CaseViewLog views, CancellationToken ct)
    {
        var loaded = await LoadedCase.ReadAsync(store, municipality, caseId, ct);
        if (!loaded.Exists) return Problems.Result(Problems.StreamNotFound);
        await views.RecordAsync(http, municipality, caseId, "events", ct);
        return Results.Ok(loaded.Events.Select(e => new EventView(e.Sequence, e.Version, e.EventTypeName, e.Data, e.Timestamp,
            e.UserName, e.Office(), e.Command())));
    }
}
