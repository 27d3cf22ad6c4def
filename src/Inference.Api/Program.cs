// The gateway. With no configuration it serves every local model of the models directory in this one process.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddInferenceServing();

var app = builder.Build();
app.MapInferenceEndpoints();

return await app.RunWithStartupErrorsAsync();

public partial class Program;
