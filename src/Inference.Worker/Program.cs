using Inference.Engines;
using Inference.Protocols.Ollama;
using Inference.Protocols.Platform;

// A Worker: the local chat models (ONNX and GGUF) behind the OpenAI- and Ollama-compatible APIs and the platform's own
// routes (and on NATS when configured), with the model loading routes a gateway's rolling deployments call.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddLlamaCppEngine();
builder.AddInferenceServing(ModelKind.Chat);
// The gateway in front routes and caches; a Worker caches only when configured to.
builder.CacheOnlyWhenConfigured();
builder.AddInferenceHttp();
builder.AddOpenAIApi();
builder.AddOllamaApi();
builder.AddAnthropicApi();
builder.AddPlatformApi();
builder.AddInferenceMonitoring();
// With ConnectionStrings:nats, the same models answer on their NATS subjects too.
builder.AddNatsTransport();

var app = builder.Build();
app.UseInferenceHttp();
app.MapDefaultEndpoints();
app.MapOpenAIApi();
app.MapOllamaApi();
app.MapAnthropicApi();
app.MapPlatformApi();
app.MapModelLoadingApi();
app.MapInferenceMonitoring();

return await app.RunWithStartupErrorsAsync();
