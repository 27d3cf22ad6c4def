using Inference.Engines;
using Inference.Serving.Catalog;
using Inference.Serving.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Inference.Protocols.Platform;

/// <summary>
/// A Worker's control routes, called by the gateway's rolling deployments: <c>PUT /admin/models/{id}</c> loads a
/// model folder or file and serves it as <c>id</c> (201, or 200 when it already was), <c>DELETE /admin/models/{id}</c>
/// unloads it. Files that are not a model are a 400 with the engine's reason; an id taken by another model a 409.
/// </summary>
public static class ModelLoadingApi
{
    public static RouteGroupBuilder MapModelLoadingApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/admin/models").WithTags("Model loading").RequireAdminScope();
        api.MapPut("/{id}", LoadAsync).WithSummary("Loads a model folder or file and serves it under an id.");
        api.MapDelete("/{id}", Unload).WithSummary("Unloads a model loaded by PUT.");
        return api;
    }

    private static async Task<Results<Created<LoadedModelInfo>, Ok<LoadedModelInfo>, ProblemHttpResult>> LoadAsync(
        string id, LoadModelRequest request, LoadedModels models, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.ModelPath))
        {
            return TypedResults.Problem("model_path is required: the model folder or file to load.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var kind = ModelKindNames.Parse(request.Kind);
        if (request.Kind is not null && kind is null)
        {
            return TypedResults.Problem($"kind must be chat, embedding or classification, not '{request.Kind}'.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        try
        {
            var (model, loaded) = await models.LoadAsync(id, request.ModelPath, kind, request.ChatTemplate, cancellationToken);
            var info = new LoadedModelInfo(model.Id, model.Source, ModelKindNames.Of(model.Kind), model.Format, model.ContextLength);
            return loaded ? TypedResults.Created($"/admin/models/{Uri.EscapeDataString(id)}", info) : TypedResults.Ok(info);
        }
        catch (ModelFolderException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Model not loadable");
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Model id taken");
        }
    }

    private static Results<NoContent, ProblemHttpResult> Unload(string id, LoadedModels models) =>
        models.Unload(id)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"No model '{id}' was loaded by PUT /admin/models.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
}
