using InferenceAspire.AppHost;

// The whole platform: Redis (response cache), PostgreSQL (registry and audit log), the Embeddings service, the chat
// provider chosen by the chat-provider parameter (our Worker, an Ollama container, or any OpenAI-compatible endpoint),
// and the Api gateway in front, which loads no model itself. Each service gets exactly the environment it reads on its own: ConnectionStrings__cache,
// ConnectionStrings__metadata, services__worker__http__0, services__embeddings__http__0.
var builder = DistributedApplication.CreateBuilder(args);

PlatformSettings settings;
try
{
    settings = PlatformSettings.Read(builder.Configuration, builder.AppHostDirectory, builder.ExecutionContext.IsRunMode);
}
catch (PlatformSettingsException ex)
{
    await Console.Error.WriteLineAsync($"InferenceAspire.AppHost cannot start: {ex.Message}");
    return 1;
}

var modelsDirectory = builder.AddParameter(PlatformSettings.ModelsDirectoryParameter);

// Volumes are named, not derived from the AppHost's path, so the published manifest is the same on every machine.
var cache = builder.AddRedis("cache")
    .WithDataVolume("inference-cache-data")
    .WithPersistence();

var metadata = builder.AddPostgres("postgres")
    .WithDataVolume("inference-postgres-data")
    .AddDatabase("metadata");

var embeddings = builder.AddProject<Projects.Inference_Embeddings>("embeddings")
    .WithEnvironment("INFERENCE_MODELS_DIR", modelsDirectory)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.Inference_Api>("api")
    .WithEnvironment("Inference__ServeLocalModels", "false")
    .WithReference(cache).WaitFor(cache)
    .WithReference(metadata).WaitFor(metadata)
    .WithReference(embeddings).WaitFor(embeddings)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.AddChatProvider(api, settings, modelsDirectory);

builder.Build().Run();
return 0;
