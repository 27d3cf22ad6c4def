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
        IResourceBuilder<ParameterResource> modelsDirectory,
        PlatformServers servers)
    {
        switch (settings.ChatProvider)
        {
            case "local":
                var worker = builder.AddProject<Projects.Inference_Worker>("worker")
                    .WithEnvironment("INFERENCE_MODELS_DIR", modelsDirectory)
                    .WithReplicas(settings.WorkerReplicas)
                    .WithNats(servers)
                    .WithTelemetryContent(settings)
                    .WithHttpHealthCheck("/health")
                    .WithMonitoring();
                api.WithReference(worker).WaitFor(worker);
                if (settings.WorkerReplicas > 1)
                {
                    // Replicas behind one proxied address cannot be told apart over HTTP: the Api reaches the Worker's
                    // models over NATS, each replica by its name, so rolling deployments and least-loaded routing work.
                    api.WithEnvironment("Inference__Discovery__WorkerTransport", "nats")
                        .WithEnvironment("Inference__Discovery__WorkerReplicas", settings.WorkerReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

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

    /// <summary>The NATS server's connection string (<c>ConnectionStrings__nats</c>): the service answers its models there too.</summary>
    public static IResourceBuilder<ProjectResource> WithNats(this IResourceBuilder<ProjectResource> service, PlatformServers servers)
    {
        service.WithReference(servers.Nats);
        foreach (var server in servers.Servers.Where(s => s.Resource.Name == "nats-server"))
        {
            service.WaitFor(server);
        }

        return service;
    }
}
