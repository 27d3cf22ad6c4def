using Inference.Protocols.Ollama;

// The gateway. With no configuration it serves every local model of the models directory in this one process, with
// its registry and audit log in SQLite; given an AppHost's connection strings and service references it routes to the
// Worker and Embeddings services, caches in Redis and records in PostgreSQL. It composes: the engines, the serving
// core, the HTTP transport with every API surface (OpenAI's Chat Completions and Responses, Anthropic's Messages,
// Ollama, the platform's own routes), monitoring, and the control plane (model lifecycle, jobs and batches, access).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddLlamaCppEngine();
// Every kind of local model, except those a Worker or Embeddings service referenced by an AppHost serves instead.
builder.AddInferenceServing(builder.KindsNoReferencedServiceServes());
builder.AddInferenceHttp();
builder.AddOpenAIApi();
builder.AddOllamaApi();
builder.AddAnthropicApi();
builder.AddResponsesApi();
builder.AddPlatformApi();
builder.AddInferenceMonitoring();
// Remote models at nats:// endpoints are reached over NATS; with ConnectionStrings:nats local models answer there too.
builder.AddNatsTransport();
builder.AddModelLifecycle();
builder.AddInferenceJobs();
builder.AddInferenceAccess();
builder.AddApiDocumentation();

var app = builder.Build();
app.UseInferenceHttp();
app.MapInferenceAccess();
app.MapDefaultEndpoints();
app.MapOpenAIApi();
app.MapOllamaApi();
app.MapAnthropicApi();
app.MapResponsesApi();
app.MapPlatformApi();
app.MapInferenceMonitoring();
app.MapModelLifecycle();
app.MapInferenceJobs();
app.MapApiDocumentation();

return await app.RunWithStartupErrorsAsync();

public partial class Program;
