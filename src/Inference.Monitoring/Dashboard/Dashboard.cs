using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Inference.Monitoring;

/// <summary>The live web dashboard: one self-contained page (no build step), fed by <c>/api/services</c> and <c>/api/events</c>.</summary>
internal static class Dashboard
{
    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("Inference.Monitoring.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static FileContentHttpResult Page() => TypedResults.File(Html.Value, "text/html; charset=utf-8");
}
