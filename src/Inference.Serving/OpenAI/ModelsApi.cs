using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Http;

namespace Inference.Serving.OpenAI;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class ModelsApi
{
    /// <summary>The models the caller may use (every model when authentication is off).</summary>
    public static IResult List(HttpContext http, [AsParameters] OpenAIServices services) =>
        TypedResults.Json(new ModelList([.. services.Catalog.Models.Where(m => InferenceCaller.MayUse(http, m.Id)).Select(m => ToInfo(m, services.Backpressure))]), OpenAIJsonContext.Default.ModelList);

    public static IResult Get(string id, HttpContext http, [AsParameters] OpenAIServices services) =>
        InferenceCaller.MayUse(http, id) && services.Catalog.Find(id) is { } model
            ? TypedResults.Json(ToInfo(model, services.Backpressure), OpenAIJsonContext.Default.ModelInfo)
            : OpenAIErrors.ModelNotFound(id);

    private static ModelInfo ToInfo(ServedModel model, BackpressureOptions backpressure)
    {
        var load = Local.ModelReadiness.Of(model, backpressure);
        return new(
            model.Id, model.Created.ToUnixTimeSeconds(), model.OwnedBy, ModelCapabilities.Of(model), model.QueueDepth?.Invoke(), model.RequestCount?.Invoke(),
            load.QueueMetrics, load.BackpressureStatus);
    }
}
