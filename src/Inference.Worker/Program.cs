using Inference.Engines;

// Hosts the local chat models behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddLlamaCppEngine();
builder.AddInferenceServing(ModelKind.Chat);

var app = builder.Build();
app.MapInferenceEndpoints();

return await app.RunWithStartupErrorsAsync();
