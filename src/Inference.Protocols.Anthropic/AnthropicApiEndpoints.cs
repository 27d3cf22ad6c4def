using Inference.Http;
using Inference.Protocols.Anthropic;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static class AnthropicApiEndpoints
{
    /// <summary>Anthropic's Messages API: <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c>, errors in Anthropic's body.</summary>
    public static IEndpointRouteBuilder MapAnthropicApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var messages = endpoints.MapGroup("/v1/messages").WithTags("Anthropic");
        messages.MapPost("/", AnthropicApi.CreateAsync).WithName("CreateMessage").WithSummary("A message, whole or streamed as Anthropic's events.").Drains()
            .Documented<MessagesRequest, MessageResponse>(RouteDocumentation.EventStream);
        messages.MapPost("/count_tokens", AnthropicApi.CountTokensAsync).WithName("CountMessageTokens").WithSummary("The input tokens a message request would use.")
            .Documented<MessagesRequest, TokenCount>();
        return endpoints;
    }
}
