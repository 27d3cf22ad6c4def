using System.Text.Json.Nodes;
using Inference.Serving.Catalog;
using Inference.Serving.Remote;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Http;

/// <summary>
/// A request about a model one of our services runs, answered there: posted on <paramref name="path"/> of that
/// service (<see cref="ModelForwarding"/>), and its status and body passed on as they are.
/// </summary>
public static class Forwarded
{
    public static async Task<IResult> PostAsync(HttpContext http, ServedModel model, string path, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(http);
        var (status, answer) = await http.RequestServices.GetRequiredService<ModelForwarding>().PostAsync(model, path, body, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Content(answer, "application/json", statusCode: status);
    }
}
