using Inference.Engines;

// Hosts the local embedding models behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddInferenceServing(ModelKind.Embedding, ModelKind.Classification);
builder.AddInferenceMonitoring();

var app = builder.Build();
app.MapInferenceEndpoints();
app.MapInferenceMonitoring();

return await app.RunWithStartupErrorsAsync();
