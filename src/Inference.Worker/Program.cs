using Inference.Onnx.Models;

// Hosts the local chat engine behind the OpenAI-compatible API.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOpenAIApi();
builder.AddLocalModels(LocalModelKind.Chat);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapOpenAIApi();

return await app.RunWithStartupErrorsAsync();
