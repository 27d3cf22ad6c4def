using InferenceAspire.AppHost;

// The whole platform: Redis (response cache), PostgreSQL (registry and audit log) and NATS (the models' subjects; the
// Worker replicas' queue group), as containers, local executables
// or existing servers (the servers parameter; by default containers where a container runtime answers), the Embeddings service, the chat
// provider chosen by the chat-provider parameter (our Worker, an Ollama container, or any OpenAI-compatible endpoint),
// and the Api gateway in front, which loads no model itself. Each service gets exactly the environment it reads on its own: ConnectionStrings__cache,
// ConnectionStrings__metadata, ConnectionStrings__nats, services__worker__http__0, services__embeddings__http__0.
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

// The Api asks every caller for a key; this bootstrap admin key creates the others (POST /api/keys). Generated once and
// kept in the AppHost's user secrets (azd generates it on deploy); give your own with --Parameters:admin-key=...
var adminKey = builder.AddParameter(
    PlatformSettings.AdminKeyParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
    .WithDescription("The Api's bootstrap admin key (Inference:Auth:AdminKey): send it as Authorization: Bearer to create API keys.");
var servers = builder.AddPlatformServers(settings);

var embeddings = builder.AddProject<Projects.Inference_Embeddings>("embeddings")
    .WithEnvironment("INFERENCE_MODELS_DIR", modelsDirectory)
    .WithNats(servers)
    .WithTelemetryContent(settings)
    .WithHttpHealthCheck("/health")
    .WithMonitoring();

var api = builder.AddProject<Projects.Inference_Api>("api")
    .WithEnvironment("Inference__ServeLocalModels", "false")
    .WithEnvironment("Inference__Auth__Enabled", "true")
    .WithEnvironment("Inference__Auth__AdminKey", adminKey)
    .WithReference(servers.Cache)
    .WithReference(servers.Metadata)
    .WithReference(servers.Nats)
    .WithReference(embeddings).WaitFor(embeddings)
    .WithExternalHttpEndpoints()
    .WithTelemetryContent(settings)
    .WithHttpHealthCheck("/health")
    .WithMonitoring(adminKey.Resource);
foreach (var server in servers.Servers)
{
    api.WaitFor(server);
}

builder.AddChatProvider(api, settings, modelsDirectory, servers);

builder.Build().Run();
return 0;
