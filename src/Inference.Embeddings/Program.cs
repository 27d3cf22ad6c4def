using Inference.Onnx.Models;

// Hosts the local embedding engine behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOpenAIApi();
builder.AddLocalModels(LocalModelKind.Embedding);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapOpenAIApi();

return await app.RunWithStartupErrorsAsync();
