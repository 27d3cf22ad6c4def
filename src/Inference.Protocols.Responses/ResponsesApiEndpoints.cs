using Inference.Http;
using Inference.Protocols.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static class ResponsesApiEndpoints
{
    /// <summary>OpenAI's Responses API under <c>/v1/responses</c>: create (whole or streamed), read back, list input items, delete, cancel.</summary>
    public static IEndpointRouteBuilder MapResponsesApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var responses = endpoints.MapGroup("/v1/responses").WithTags("OpenAI Responses");
        responses.MapPost("/", ResponsesApi.CreateAsync).WithName("CreateResponse").WithSummary("A response, whole or streamed as the Responses events; stored unless store is false.").Drains()
            .Documented<ResponseRequest, ResponseObject>(RouteDocumentation.EventStream);
        responses.MapGet("/{id}", ResponsesApi.GetAsync).WithName("GetResponse").WithSummary("A stored response.").Returns<ResponseObject>();
        responses.MapDelete("/{id}", ResponsesApi.DeleteAsync).WithName("DeleteResponse").WithSummary("Deletes a stored response.").Returns<ResponseDeleted>();
        responses.MapGet("/{id}/input_items", ResponsesApi.InputItemsAsync).WithName("ListResponseInputItems").WithSummary("The input items a stored response's request sent.").Returns<ResponseItemList>();
        responses.MapPost("/{id}/cancel", ResponsesApi.CancelAsync).WithName("CancelResponse").WithSummary("Cancels a background response (none run here: a finished one is a 400).");
        return endpoints;
    }
}
