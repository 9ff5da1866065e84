using System.Collections.Concurrent;
using System.Globalization;
using CaseSystem.Cases.Api.OpenApi;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Store.HashChain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CaseSystem.Cases.Api;

/// <summary>
/// The integrity checks and the anchoring on demand, for those who audit (supervisors and
/// admins): without a token they told anyone how many cases there are and whether an id exists,
/// and let anyone start a scan of the whole log (issue 14).
/// <para>
/// The municipality-wide check is bounded twice: it answers one page of cases (<c>limit</c>,
/// 1,000 unless asked, at most 5,000; <c>after</c>, the previous page's <c>next</c>), and a
/// process checks one page of a municipality at a time (another request meanwhile is 429 with
/// Retry-After): a million cases are read a page per request, never in one.
/// </para>
/// </summary>
public static class IntegrityEndpoints
{
    /// <summary>Seconds to wait before asking for a page again while another page of the municipality is being checked.</summary>
    public const int RetryAfterSeconds = 2;

    public static RouteGroupBuilder MapIntegrityEndpoints(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/integrity", async (string municipality, string? limit, string? after, ChainVerifier chains, IntegrityScans scans,
            TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            var errors = ReadQuery.Errors(municipality, clock);
            var count = ReadQuery.Limit(errors, "limit", limit, ChainVerifier.DefaultPage, ChainVerifier.MaxPage);
            Guid? cursor = null;
            if (!string.IsNullOrWhiteSpace(after))
            {
                if (Guid.TryParseExact(after, "D", out var id)) cursor = id;
                else errors.Add("after", new FieldError("前のページの next(案件 ID)を指定してください", "The previous page's next (a case id)"));
            }
            if (!errors.IsEmpty) return Results.Problem(InvalidRequest.Problem(errors.ByPath));
            using var turn = scans.TryEnter(municipality);
            if (turn is null)
            {
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Problems.Result(Problems.IntegrityScanRunning);
            }
            return Results.Ok(await chains.VerifyPageAsync(municipality, cursor, count, ct));
        }).Produces<ChainVerification>().Refuses(Problems.IntegrityScanRunning).RequireStaff(StaffRole.Supervisor, StaffRole.Admin);

        tenant.MapGet("/cases/{caseId:guid}/integrity", async (string municipality, Guid caseId, ChainVerifier chains, CancellationToken ct) =>
            await chains.VerifyStreamAsync(municipality, caseId, ct) is { } result ? Results.Ok(result) : Problems.Result(Problems.StreamNotFound))
            .Produces<ChainVerification>().Refuses(Problems.StreamNotFound).RequireStaff(StaffRole.Supervisor, StaffRole.Admin);

        // Anchors the whole store (an anchor covers every municipality); the answer speaks of this one's cases only.
        tenant.MapPost("/integrity/anchors", async (string municipality, Anchorer anchorer, HttpContext http, CancellationToken ct) =>
        {
            if (!anchorer.CanAnchor) return Problems.Result(Problems.AnchoringOff);
            AnchorOutcome outcome;
            try
            {
                outcome = (await anchorer.AnchorAsync(wait: true, ct))!;
            }
            catch (AnchorBusyException)
            {
                http.Response.Headers.RetryAfter = Problems.DatabaseRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Problems.Result(Problems.AnchoringBusy);
            }
            var heads = outcome.Heads.Count(h => h.Municipality == municipality);
            // Cases whose chain no longer holds their anchored head: left at it, and reported by the integrity check.
            var refused = outcome.Refused.Where(h => h.Municipality == municipality).Select(h => h.Case).ToList();
            return Results.Ok(new AnchoredNow(outcome.Written, outcome.Last?.Number, outcome.Last?.At, outcome.Last?.Through, heads, refused));
        }).Produces<AnchoredNow>().Refuses(Problems.AnchoringOff, Problems.AnchoringBusy).RequireStaff(StaffRole.Supervisor, StaffRole.Admin);
        return tenant;
    }
}

/// <summary>
/// An anchoring asked for over HTTP: how many anchors it wrote, the last one (its number, time and the
/// sequence it covers), how many of this municipality's cases it anchored, and those it refused.
/// </summary>
public sealed record AnchoredNow(long Written, long? Anchor, DateTimeOffset? At, long? AnchoredThrough, int Heads, IReadOnlyList<Guid> Refused);

/// <summary>One integrity page per municipality at a time in this process.</summary>
public sealed class IntegrityScans
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _running = new(StringComparer.Ordinal);

    /// <summary>The municipality's turn, released when disposed; null while another page of it is being checked.</summary>
    public IDisposable? TryEnter(string municipality)
    {
        var gate = _running.GetOrAdd(municipality, _ => new SemaphoreSlim(1, 1));
        return gate.Wait(0) ? new Turn(gate) : null;
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
