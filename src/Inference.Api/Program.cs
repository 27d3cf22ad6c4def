// The gateway. With no configuration it serves every local model of the models directory in this one process.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOpenAIApi();
builder.AddLocalModels();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapOpenAIApi();

return await app.RunWithStartupErrorsAsync();

public partial class Program;
