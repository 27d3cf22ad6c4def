using System.ClientModel;
using System.ClientModel.Primitives;
using Inference.Client;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers the platform as MEAI clients for a sibling service. The HTTP client is named after the connection, so
/// the service's defaults (service discovery, resilience) apply to it.
/// </summary>
public static class InferenceClientExtensions
{
    /// <summary>An <see cref="IChatClient"/> for <c>ConnectionStrings:{connectionName}</c>; returns MEAI's builder for middleware.</summary>
    public static ChatClientBuilder AddInferenceChatClient(this IHostApplicationBuilder builder, string connectionName, string? model = null)
    {
        var connection = Connect(builder, connectionName);
        var modelId = model ?? connection.Model ?? throw new InvalidOperationException(
            $"No model for ConnectionStrings:{connectionName}: add Model=... to it or pass one to AddInferenceChatClient.");
        return builder.Services.AddChatClient(sp => new InferenceParametersChatClient(CreateClient(sp, connectionName, connection).GetChatClient(modelId).AsIChatClient()));
    }

    /// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for <c>ConnectionStrings:{connectionName}</c>.</summary>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddInferenceEmbeddingGenerator(this IHostApplicationBuilder builder, string connectionName, string? model = null)
    {
        var connection = Connect(builder, connectionName);
        var modelId = model ?? connection.Model ?? throw new InvalidOperationException(
            $"No model for ConnectionStrings:{connectionName}: add Model=... to it or pass one to AddInferenceEmbeddingGenerator.");
        return builder.Services.AddEmbeddingGenerator(sp => CreateClient(sp, connectionName, connection).GetEmbeddingClient(modelId).AsIEmbeddingGenerator());
    }

    private static InferenceConnectionString Connect(IHostApplicationBuilder builder, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var connection = InferenceConnectionString.Parse(connectionName, builder.Configuration.GetConnectionString(connectionName));
        builder.Services.AddHttpClient(connectionName);
        return connection;
    }

    private static OpenAIClient CreateClient(IServiceProvider services, string connectionName, InferenceConnectionString connection) => new(
        // Our own services need no key; the OpenAI client insists on one.
        new ApiKeyCredential(connection.Key ?? "none"),
        new OpenAIClientOptions
        {
            Endpoint = connection.Endpoint,
            Transport = new HttpClientPipelineTransport(services.GetRequiredService<IHttpClientFactory>().CreateClient(connectionName)),
        });
}
