// The gateway. With no configuration it serves every local model of the models directory in this one process, with
// its registry and audit log in SQLite; given an AppHost's connection strings and service references it routes to the
// Worker and Embeddings services, caches in Redis and records in PostgreSQL.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxEngine();
builder.AddLlamaCppEngine();
builder.AddInferenceServing();
builder.AddInferenceMonitoring();
builder.AddInferenceMetadata();
builder.AddApiDocumentation();

var app = builder.Build();
app.MapInferenceEndpoints();
app.MapInferenceMonitoring();
app.MapInferenceMetadata();
app.MapApiDocumentation();

return await app.RunWithStartupErrorsAsync();

public partial class Program;
