using System.Globalization;
using System.Text.Encodings.Web;
using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Demo;
using CaseSystem.Cases.Timers;
using CaseSystem.Cases.Policies;
using System.Threading.RateLimiting;
using CaseSystem.Cases.Auth.Members;
using Microsoft.AspNetCore.Authentication;

namespace CaseSystem.Server.Pages;

/// <summary>A page of the system, and the roles that may open it; <see cref="Nav"/> pages are in every page's menu.</summary>
public sealed record PageInfo(string Route, string File, string Ja, string En, StaffRole[] Roles, bool Nav = true);

/// <summary>
/// The web pages: sign-in with a staff token (kept in a session cookie, see <see cref="StaffSession"/>),
/// one HTML shell per page from the embedded <c>wwwroot</c>, served only to the roles that may see
/// it (others get a Japanese 403 page), and the small scripts and styles they share. The pages
/// read and write through the same API as every other client.
/// </summary>
public static class PagesModule
{
    public static readonly IReadOnlyList<PageInfo> Pages =
    [
        new("/desk", "desk.html", "窓口", "Clerk's desk", [StaffRole.Clerk]),
        new("/desk/cases/{caseId:guid}", "case.html", "案件", "Case", [StaffRole.Clerk], Nav: false),
        new("/desk/cases/{caseId:guid}/timeline", "timeline.html", "利用再開の目安", "Activation timeline", [StaffRole.Clerk], Nav: false),
        new("/desk/cases/{caseId:guid}/next-visit", "next-visit.html", "次回お持ちいただくもの", "What to bring next time", [StaffRole.Clerk], Nav: false),
        new("/audit", "audit.html", "監査", "Audit", [StaffRole.Supervisor]),
        new("/audit/cases/{caseId:guid}", "audit-case.html", "案件の履歴", "Case history", [StaffRole.Supervisor], Nav: false),
        new("/dashboard", "dashboard.html", "更新状況", "Renewal dashboard", [StaffRole.Analyst, StaffRole.Supervisor]),
        new("/worklists", "worklists.html", "業務リスト", "Worklists", [StaffRole.Clerk, StaffRole.Supervisor]),
        new("/notices", "notices.html", "通知書の取込", "Notice import", [StaffRole.Clerk, StaffRole.Supervisor]),
        new("/board", "board.html", "呼出し表示", "Queue display", [StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Station]),
        new("/projections", "projections.html", "集計処理の状態", "Projection status", [StaffRole.Admin]),
        new("/staff", "staff.html", "職員名簿", "Staff directory", [StaffRole.Admin]),
        new("/account", "account.html", "パスワードの変更", "Change password",
            [StaffRole.Clerk, StaffRole.Supervisor, StaffRole.Analyst, StaffRole.Admin], Nav: false),
        // The wall display's own page (issue 13): its office's board only, no menu, no staff id, no sign-out.
        new("/kiosk", "board.html", "呼出し表示(掲示用)", "Queue display kiosk", [StaffRole.Display]),
        new("/kiosk/{office}", "board.html", "呼出し表示(掲示用)", "Queue display kiosk", [StaffRole.Display, StaffRole.Supervisor], Nav: false),
    ];

    public static IServiceCollection AddPages(this IServiceCollection services)
    {
        services.AddSingleton<PageAssets>();
        services.AddSingleton<SignInLimiter>();
        return services;
    }

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (HttpContext http) =>
            await SignedInAsync(http) is { } who ? Results.Redirect(Home(who.Role)) : Results.Redirect("/signin"));
        app.MapGet("/signin", (HttpContext http, PageAssets assets) => assets.Page(http, "signin.html"));
        app.MapPost("/signin", SignInAsync).DisableAntiforgery();
        app.MapPost("/signout", async (HttpContext http, StaffSessions sessions) =>
        {
            // Through the scheme: with the session cookie, a POST needs the page's anti-forgery header.
            var result = await http.AuthenticateAsync(StaffAuthentication.Scheme);
            if (result.Failure is StaffSession.CsrfRejectedException) return Problems.Result(StaffProblems.CsrfRejected);
            // The session ends on the server: a copy of the cookie signs no one in afterwards.
            if (http.Request.Cookies.TryGetValue(StaffSession.Cookie, out var id) && !string.IsNullOrEmpty(id)) await sessions.EndAsync(id);
            http.Response.Cookies.Delete(StaffSession.Cookie, CookieOptions(http));
            return Results.NoContent();
        });
        app.MapGet("/session", SessionAsync);
        if (DemoMode.IsOn(app.ServiceProvider.GetRequiredService<IConfiguration>())) app.MapPost("/demo/clock", MoveDemoClockAsync);
        app.MapGet("/assets/{*file}", (string file, HttpContext http, PageAssets assets) => assets.Asset(http, file));
        app.MapApiReference();

        foreach (var page in Pages)
        {
            app.MapGet(page.Route, async (HttpContext http, PageAssets assets) =>
            {
                if (await SignedInAsync(http) is not { } who)
                {
                    return Results.Redirect("/signin?next=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
                }
                if (!page.Roles.Contains(who.Role)) return assets.Forbidden(http, who, page);
                return OfficeRefused(http, who, assets) ?? assets.Page(http, page.File);
            });
        }
        return app;
    }

    /// <summary>
    /// A page of one office (<c>{office}</c> in its route): an office the municipality does not have is a Japanese
    /// 404 page, not an empty board that looks live; a display may show its own office only (403).
    /// </summary>
    private static IResult? OfficeRefused(HttpContext http, StaffIdentity who, PageAssets assets)
    {
        if (http.Request.RouteValues["office"] is not string office) return null;
        var known = MunicipalPolicies.All.TryGetValue(who.Municipality, out var policy) && policy.Offices.Any(o => o.Id == office);
        if (!known)
        {
            return assets.Error(http, StatusCodes.Status404NotFound, "この窓口はありません", "Unknown office",
                $"「{office}」という窓口は{policy?.NameJa ?? who.Municipality}にありません。表示端末の設定(アドレス)を確認してください。");
        }
        return who.Role == StaffRole.Display && office != who.Office
            ? assets.Error(http, StatusCodes.Status403Forbidden, "この窓口の表示はできません", "Another office",
                $"この表示端末は「{policy!.Offices.First(o => o.Id == who.Office).NameJa}」の表示用です。")
            : null;
    }

    /// <summary>The first page of the role's menu.</summary>
    public static string Home(StaffRole role) => Pages.First(p => p.Nav && p.Roles.Contains(role)).Route;

    public static string RoleJa(StaffRole role) => role switch
    {
        StaffRole.Clerk => "窓口職員",
        StaffRole.Supervisor => "監督者",
        StaffRole.Analyst => "分析担当",
        StaffRole.Station => "窓口端末",
        StaffRole.Admin => "システム管理者",
        StaffRole.Display => "呼出し表示端末",
        _ => role.Name(),
    };

    private static async Task<StaffIdentity?> SignedInAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(StaffAuthentication.Scheme);
        return result.Succeeded ? result.Principal.FindStaff() : null;
    }

    private static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    public static readonly Problems.Kind TooManySignIns = new("urn:casesystem:problem:too-many-sign-ins", StatusCodes.Status429TooManyRequests,
        "サインインの試行が多すぎます。1分ほど待ってからやり直してください。/ Too many sign-in attempts; wait a minute and try again.");

    /// <summary>
    /// The sign-in form's POST: a member of the staff directory with their password, or a terminal
    /// (a station, a wall display) or a script with a token of <c>ops/token</c>. Either starts a
    /// server-side session of one shift at most, whose id is the cookie (<see cref="StaffSessions"/>).
    /// A browser's POST from another site is refused by its Origin (no one can be signed in as
    /// someone else behind their back).
    /// </summary>
    private static async Task<IResult> SignInAsync(HttpContext http, StaffTokenSigner signer, StaffDirectory directory, StaffSessions sessions,
        SignInLimiter limiter, TimeProvider clock)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var site = http.Request.Headers["Sec-Fetch-Site"].ToString();
        if ((site.Length > 0 && site is not ("same-origin" or "none"))
            || (origin.Length > 0 && !string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase)))
        {
            return Problems.Result(StaffProblems.CsrfRejected, "他のサイトからのサインインは受け付けません。/ Sign-in from another site is refused.");
        }
        using var lease = limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "");
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return Problems.Result(TooManySignIns);
        }
        if (!http.Request.HasFormContentType) return Results.Redirect("/signin?error=invalid");
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync();
        }
        catch (InvalidDataException)
        {
            // A NUL or another character a form may not carry: the sign-in again, not a 500.
            return Results.Redirect("/signin?error=invalid");
        }
        var next = form["next"].ToString();
        var who = await WhoSignsInAsync(form, signer, directory, sessions, clock);
        if (who is null)
        {
            return Results.Redirect("/signin?error=invalid" + (next.Length > 0 ? "&next=" + Uri.EscapeDataString(next) : ""));
        }
        var (id, _) = await sessions.StartAsync(who);
        http.Response.Cookies.Append(StaffSession.Cookie, id, CookieOptions(http));
        return Results.Redirect(IsLocalPath(next) ? next : Home(who.Role));
    }

    /// <summary>The identity the form proves, or null: a wrong password, an unknown or disabled or locked member, a bad or revoked token all look alike.</summary>
    private static async Task<StaffIdentity?> WhoSignsInAsync(IFormCollection form, StaffTokenSigner signer, StaffDirectory directory,
        StaffSessions sessions, TimeProvider clock)
    {
        var token = form["token"].ToString().Trim();
        if (token.Length > 0)
        {
            return signer.Validate(token, clock.GetUtcNow()) is { } bearer && !await sessions.IsRevokedAsync(bearer) ? bearer : null;
        }
        var (municipality, staffId, password) = (form["municipality"].ToString(), form["staffId"].ToString().Trim(), form["password"].ToString());
        if (!MunicipalPolicies.All.ContainsKey(municipality) || staffId.Length is 0 or > 40 || password.Length is 0 or > PasswordHasher.MaxLength)
        {
            return null;
        }
        var (outcome, member) = await directory.SignInAsync(municipality, staffId, password);
        return outcome == SignInOutcome.SignedIn && member is not null
            ? new StaffIdentity(member.StaffId, member.Role, member.Municipality, member.Office, clock.GetUtcNow() + StaffSessions.MaxLength)
            : null;
    }

    /// <summary>
    /// A path of this site to go back to after the sign-in: it starts with one '/', and holds no
    /// backslash, whitespace or control character. Browsers drop a tab or a line break inside a URL
    /// and read '\' as '/', so "/\t/evil.example" or "/\\evil.example" would leave the site (issue 14).
    /// </summary>
    internal static bool IsLocalPath(string next) =>
        next.Length > 0 && next[0] == '/' && (next.Length == 1 || next[1] != '/')
        && !next.Any(c => c == '\\' || char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>The demo's clock moved forward (demo mode only): any signed-in staff member, with the page's anti-forgery header.</summary>
    private static async Task<IResult> MoveDemoClockAsync(HttpContext http, TimeProvider clock, Wolverine.Runtime.IWolverineRuntime wolverine,
        StaffSessions sessions, CancellationToken ct)
    {
        var result = await http.AuthenticateAsync(StaffAuthentication.Scheme);
        if (result.Failure is StaffSession.CsrfRejectedException) return Problems.Result(StaffProblems.CsrfRejected);
        if (!result.Succeeded) return Problems.Result(StaffProblems.Unauthenticated, "サインインしてください。/ Please sign in.");
        if (clock is not ShiftedClock shifted) return Problems.Result(Problems.BadRequest, "この時計は動かせません。/ This clock cannot be moved.");
        var body = await http.Request.ReadFromJsonAsync<DemoClockRequest>();
        if (body?.At is not { } at)
        {
            return Problems.Result(Problems.BadRequest, "at に日時(時差付き)を指定してください。/ Give 'at' as a date and time with its offset.");
        }
        if (at < clock.GetUtcNow()) return Problems.Result(Problems.BadRequest, "デモの時計は進めることだけができます。/ The demo clock only moves forward.");
        await sessions.ShiftAsync(await DemoClock.MoveForwardAsync(shifted, wolverine.Storage, at, ct), ct);
        return Results.Ok(new { now = clock.GetUtcNow() });
    }

    private sealed record DemoClockRequest(DateTimeOffset? At);

    /// <summary>Who is signed in, the anti-forgery token for their POSTs, their menu, and their municipality's offices and identity documents.</summary>
    private static async Task<IResult> SessionAsync(HttpContext http, StaffTokenSigner signer, TimeProvider clock, IConfiguration configuration)
    {
        if (await SignedInAsync(http) is not { } who || !http.Request.Cookies.TryGetValue(StaffSession.Cookie, out var token))
        {
            return Problems.Result(StaffProblems.Unauthenticated, "サインインしてください。/ Please sign in.");
        }
        http.Response.Headers.CacheControl = "no-store";
        var policy = MunicipalPolicies.All.TryGetValue(who.Municipality, out var p) ? p : null;
        return Results.Ok(new
        {
            staffId = who.StaffId,
            role = who.Role.Name(),
            roleJa = RoleJa(who.Role),
            municipality = who.Municipality,
            municipalityJa = policy?.NameJa ?? who.Municipality,
            office = who.Office,
            officeJa = policy?.Offices.FirstOrDefault(o => o.Id == who.Office)?.NameJa ?? who.Office,
            expiresAt = who.ExpiresAt,
            today = JapanTime.DateOf(clock.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            // The demo's clock, shown on every page (issue 13); null on a real server.
            demo = DemoMode.IsOn(configuration) ? new { now = clock.GetUtcNow().ToOffset(JapanTime.Offset) } : null,
            csrf = signer.CsrfToken(token!),
            csrfHeader = StaffSession.CsrfHeader,
            pages = Pages.Where(pg => pg.Nav && pg.Roles.Contains(who.Role)).Select(pg => new { path = pg.Route, ja = pg.Ja, en = pg.En }),
            contact = policy?.Contact is { } contact ? new { nameJa = contact.NameJa, phone = contact.Phone, hoursJa = contact.HoursJa } : null,
            offices = policy?.Offices.Select(o => new { id = o.Id, nameJa = o.NameJa, counters = o.Counters }).ToArray() ?? [],
            // What the desk asks of each ticked document: its issue date where the profile bounds it
            // (運転経歴証明書, 000/004), its expiry where the kind carries one, and the months of grace
            // after it for the holder's own card (004).
            documents = policy?.IdentityDocuments.Select(d => new
            {
                code = d.Code, nameJa = d.NameJa, list = d.List.ToString(),
                issuedOnOrAfter = d.IssuedOnOrAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                hasValidity = Cases.Renewal.DocumentKinds.WithValidity.Contains(d.Code) || d.GraceAfterExpiryMonths is not null,
                graceAfterExpiryMonths = d.GraceAfterExpiryMonths,
            }).ToArray() ?? [],
        });
    }

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    internal static string Html(string text) => Encoder.Encode(text);
}

/// <summary>
/// Sign-ins per client address and minute, before any password is checked (a password check
/// costs an Argon2id hash); each member is also locked after 5 wrong passwords (StaffDirectory).
/// One per server (a singleton), so that servers in one process count apart.
/// </summary>
public sealed class SignInLimiter : IDisposable
{
    public const int PerMinute = 60;

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions { PermitLimit = PerMinute, Window = TimeSpan.FromMinutes(1) }));

    public RateLimitLease AttemptAcquire(string address) => _limiter.AttemptAcquire(address);

    public void Dispose() => _limiter.Dispose();
}
