using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using CaseSystem.Cases.Auth;

namespace CaseSystem.Server.Pages;

/// <summary>
/// The files of <c>wwwroot</c>, embedded in this assembly (so the server serves them from wherever
/// it runs, tests included), read once. Pages go out with a strict Content-Security-Policy: only
/// this server's scripts, styles and connections, no inline script, no framing.
/// </summary>
public sealed class PageAssets
{
    private const string Prefix = "wwwroot/";

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    private readonly Dictionary<string, (byte[] Bytes, string ETag)> _files = new(StringComparer.Ordinal);

    public PageAssets()
    {
        var assembly = typeof(PageAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            _files[name[Prefix.Length..].Replace('\\', '/')] = (bytes, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
        }
        if (!_files.ContainsKey("signin.html"))
        {
            throw new InvalidOperationException($"The pages' files are not embedded in {assembly.GetName().Name} (expected resources named {Prefix}…).");
        }
    }

    public IResult Page(HttpContext http, string file) => Html(http, Text(file), StatusCodes.Status200OK);

    /// <summary>Scripts, styles and images, by path under wwwroot/assets/; with an ETag so a reload revalidates cheaply.</summary>
    public IResult Asset(HttpContext http, string file)
    {
        if (!_files.TryGetValue("assets/" + file, out var found)) return Results.NotFound();
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ETag = found.ETag;
        if (http.Request.Headers.IfNoneMatch.Contains(found.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(found.Bytes, ContentType(file));
    }

    /// <summary>The Japanese 403 page: who is signed in, what the page is, and a way to their own pages.</summary>
    public IResult Forbidden(HttpContext http, StaffIdentity who, PageInfo page)
    {
        var html = Text("forbidden.html")
            .Replace("{{page}}", PagesModule.Html($"{page.Ja}({page.En})"), StringComparison.Ordinal)
            .Replace("{{role}}", PagesModule.Html($"{PagesModule.RoleJa(who.Role)}({who.Role.Name()})"), StringComparison.Ordinal)
            .Replace("{{staff}}", PagesModule.Html(who.StaffId), StringComparison.Ordinal)
            .Replace("{{allowed}}", PagesModule.Html(string.Join("、", page.Roles.Select(PagesModule.RoleJa))), StringComparison.Ordinal)
            .Replace("{{home}}", PagesModule.Html(PagesModule.Home(who.Role)), StringComparison.Ordinal);
        return Html(http, html, StatusCodes.Status403Forbidden);
    }

    /// <summary>A Japanese error page with its English beside it, with nothing of who is signed in (a wall display shows it).</summary>
    public IResult Error(HttpContext http, int status, string titleJa, string titleEn, string messageJa)
    {
        var html = Text("error.html")
            .Replace("{{status}}", status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{title}}", PagesModule.Html(titleJa), StringComparison.Ordinal)
            .Replace("{{titleEn}}", PagesModule.Html(titleEn), StringComparison.Ordinal)
            .Replace("{{message}}", PagesModule.Html(messageJa), StringComparison.Ordinal);
        return Html(http, html, status);
    }

    private string Text(string file) =>
        _files.TryGetValue(file, out var found) ? Encoding.UTF8.GetString(found.Bytes) : throw new InvalidOperationException($"no embedded page {file}");

    private static IResult Html(HttpContext http, string html, int status)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the sign-in POST, which the Origin check refuses.
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };
}
