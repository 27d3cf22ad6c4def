using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

internal static class ModelResolver
{
    /// <summary>Finds the requested model (a name, or <c>name:version</c>) as routed for this request, or the error to answer with.</summary>
    public static IResult? Resolve(
        OpenAIServices services, HttpContext http, string? id, ModelKind kind, string endpoint, out ServedModel model, string? user = null, bool? useFallbacks = null)
    {
        model = null!;
        if (string.IsNullOrWhiteSpace(id))
        {
            return OpenAIErrors.BadRequest("You must provide a model parameter.", "model");
        }

        if (!services.Catalog.IsReady)
        {
            return OpenAIErrors.NotReady();
        }

        if (services.Routing.Route(id, http, user, useFallbacks) is not { } found)
        {
            return OpenAIErrors.ModelNotFound(id);
        }

        if (found.Kind != kind)
        {
            return OpenAIErrors.WrongModelKind(id, endpoint);
        }

        model = found;
        return null;
    }
}
