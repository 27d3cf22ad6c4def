using Inference.Engines;
using Inference.Serving.Local;

// Hosts the local chat models behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddLlamaCppEngine();
builder.AddInferenceServing(ModelKind.Chat);
builder.AddInferenceMonitoring();

var app = builder.Build();
app.MapInferenceEndpoints();
app.MapModelLoadingApi();
app.MapInferenceMonitoring();

return await app.RunWithStartupErrorsAsync();
