using Inference.Engines;

// Hosts the local embedding models behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddInferenceServing(ModelKind.Embedding);

var app = builder.Build();
app.MapInferenceEndpoints();

return await app.RunWithStartupErrorsAsync();
