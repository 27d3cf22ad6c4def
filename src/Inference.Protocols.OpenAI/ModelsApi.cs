using Inference.Http;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;

namespace Inference.Protocols.OpenAI;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class ModelsApi
{
    /// <summary>The models the caller may use (every model when authentication is off).</summary>
    public static IResult List(HttpContext http, [AsParameters] ApiServices services) =>
        TypedResults.Json(new ModelList([.. services.Catalog.Models.Where(m => HttpCaller.MayUse(http, m.Id)).Select(m => ToInfo(m, services.Backpressure))]), OpenAIJsonContext.Default.ModelList);

    public static IResult Get(string id, HttpContext http, [AsParameters] ApiServices services) =>
        HttpCaller.MayUse(http, id) && services.Catalog.Find(id) is { } model
            ? TypedResults.Json(ToInfo(model, services.Backpressure), OpenAIJsonContext.Default.ModelInfo)
            : ApiErrors.OpenAI(InferenceError.ModelNotFound(id));

    private static ModelInfo ToInfo(ServedModel model, BackpressureOptions backpressure)
    {
        var load = ModelReadiness.Of(model, backpressure);
        return new(
            model.Id, model.Created.ToUnixTimeSeconds(), model.OwnedBy, ModelCapabilities.Of(model), model.QueueDepth?.Invoke(), model.RequestCount?.Invoke(),
            load.QueueMetrics, load.BackpressureStatus);
    }
}
