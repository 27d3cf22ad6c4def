namespace InferenceAspire.AppHost;

internal static class ChatProviderExtensions
{
    /// <summary>
    /// The chat provider behind the Api, by the chat-provider parameter: our Worker (local), an Ollama container
    /// (through OllamaSharp), or any OpenAI-compatible endpoint (through Microsoft.Extensions.AI.OpenAI). The Api reads a
    /// referenced Worker's models itself; the other two reach it as a <c>chat</c> connection string and an
    /// <c>Inference:Remote</c> entry for the model.
    /// </summary>
    public static void AddChatProvider(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> api,
        PlatformSettings settings,
        IResourceBuilder<ParameterResource> modelsDirectory)
    {
        switch (settings.ChatProvider)
        {
            case "local":
                var worker = builder.AddProject<Projects.Inference_Worker>("worker")
                    .WithEnvironment("INFERENCE_MODELS_DIR", modelsDirectory)
                    .WithReplicas(settings.WorkerReplicas)
                    .WithTelemetryContent(settings)
                    .WithHttpHealthCheck("/health")
                    .WithMonitoring();
                api.WithReference(worker).WaitFor(worker);
                break;

            case "ollama":
                var ollama = builder.AddContainer("ollama", "ollama/ollama")
                    .WithHttpEndpoint(targetPort: 11434, name: "http")
                    .WithVolume("inference-ollama-models", "/root/.ollama")
                    .WithHttpHealthCheck("/api/version");
                var ollamaChat = builder.AddConnectionString(
                    "chat", ReferenceExpression.Create($"Endpoint={ollama.GetEndpoint("http")};Model={settings.ChatModel}"));
                api.WithReference(ollamaChat).WaitFor(ollama);
                RemoteModel(api, settings.ChatModel, "ollama");
                break;

            case "openai":
                var endpoint = builder.AddParameter("openai-endpoint");
                var key = builder.AddParameter("openai-key", secret: true);
                var openAIChat = builder.AddConnectionString(
                    "chat", ReferenceExpression.Create($"Endpoint={endpoint};Key={key};Model={settings.ChatModel}"));
                api.WithReference(openAIChat);
                RemoteModel(api, settings.ChatModel, "openai");
                break;
        }
    }

    private static void RemoteModel(IResourceBuilder<ProjectResource> api, string model, string provider) =>
        api.WithEnvironment($"Inference__Remote__{model}__Provider", provider)
            .WithEnvironment($"Inference__Remote__{model}__ConnectionName", "chat");
}
