using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// A command's body is at most <see cref="RequestBounds.BodyBytes"/>: a larger declared length is
/// a 413 problem before anything is read; a body sent without a length is cut off by Kestrel at
/// the same size while it is read (Wolverine then refuses it as unreadable).
/// </summary>
public static class RequestBodyLimit
{
    public static IResult? Refuse(HttpContext http)
    {
        if (http.Request.ContentLength > RequestBounds.BodyBytes)
        {
            return Problems.Result(Problems.RequestTooLarge,
                $"コマンドの本文は {RequestBounds.BodyBytes} バイトまでです。/ A command's body is at most {RequestBounds.BodyBytes} bytes.");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = RequestBounds.BodyBytes;
        return null;
    }
}
