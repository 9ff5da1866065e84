using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseSystem.Cases.Tests.Support;

/// <summary>
/// A small web app of a test's own on 127.0.0.1, on a port the system picks, without logs: what the
/// tests' stand-ins (TestIssuer, OtlpReceiver, ScriptedServer) are served by.
/// </summary>
internal static class LoopbackApp
{
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder.Build();
    }
}
