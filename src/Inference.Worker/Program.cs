using Inference.Onnx.Models;

// Hosts the local chat models behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInferenceServing(LocalModelKind.Chat);

var app = builder.Build();
app.MapInferenceEndpoints();

return await app.RunWithStartupErrorsAsync();
