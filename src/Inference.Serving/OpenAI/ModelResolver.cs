using Inference.Serving.Catalog;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

internal static class ModelResolver
{
    /// <summary>Finds the requested model, or the error to answer with.</summary>
    public static IResult? Resolve(ModelCatalog catalog, string? id, ModelKind kind, string endpoint, out ServedModel model)
    {
        model = null!;
        if (string.IsNullOrWhiteSpace(id))
        {
            return OpenAIErrors.BadRequest("You must provide a model parameter.", "model");
        }

        if (!catalog.IsReady)
        {
            return OpenAIErrors.NotReady();
        }

        if (catalog.Find(id) is not { } found)
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
