using Inference.Engines;
using Inference.Protocols.Ollama;

// The Embeddings service: the local embedding models and classifiers (ONNX) behind the OpenAI-compatible API, the
// Ollama-compatible API and the platform's classification routes.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddInferenceServing(ModelKind.Embedding, ModelKind.Classification);
// The gateway in front caches; this service caches only when configured to.
builder.CacheOnlyWhenConfigured();
builder.AddInferenceHttp();
builder.AddOpenAIApi();
builder.AddOllamaApi();
builder.AddPlatformApi();
builder.AddInferenceMonitoring();
// With ConnectionStrings:nats, the same models answer on their NATS subjects too.
builder.AddNatsTransport();

var app = builder.Build();
app.UseInferenceHttp();
app.MapDefaultEndpoints();
app.MapOpenAIApi();
app.MapOllamaApi();
app.MapPlatformApi();
app.MapInferenceMonitoring();

return await app.RunWithStartupErrorsAsync();
