using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The Api serving the trained wordnet-chat-1m (ONNX and GGUF) and the synthetic two-layer SmolLM2 (ONNX and GGUF,
/// whose 8k context has room for tool prompts), no response cache (so every answer is decoded), and a metadata file
/// of its own for the grammar library.
/// </summary>
public sealed class StructuredApiFixture : WebApplicationFactory<Program>
{
    public const string Onnx = "wordnet-chat-1m";
    public const string Gguf = "wordnet-chat-1m-gguf";
    public const string SyntheticOnnx = SyntheticModels.OnnxId;
    public const string SyntheticGguf = SyntheticModels.GgufId;

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("inference-structured-");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
        builder.UseSetting($"Inference:Models:{Onnx}:Path", Onnx);
        builder.UseSetting($"Inference:Models:{Gguf}:Path", Gguf);
        builder.UseSetting($"Inference:Models:{SyntheticOnnx}:Path", SyntheticModels.OnnxFolder);
        builder.UseSetting($"Inference:Models:{SyntheticGguf}:Path", SyntheticModels.GgufFolder);
        builder.UseSetting("Inference:LlamaCpp:Quantization", "F32");
        builder.UseSetting("Inference:LlamaCpp:ContextLength", "2048");
        builder.UseSetting("Inference:Engine:IntraOpThreads", "1");
        builder.UseSetting("Inference:Cache:Enabled", "false");
        builder.UseSetting("Inference:Metadata:SqlitePath", Path.Combine(_data.FullName, "metadata.db"));
        builder.UseSetting("Inference:Metadata:Audit:SpillDirectory", Path.Combine(_data.FullName, "spill"));
    }

    /// <summary>
    /// MEAI's IChatClient over the official OpenAI client, pointed at the in-memory server, as AddInferenceChatClient
    /// builds it: schemas go unchanged (MEAI alone rewrites them for OpenAI's strict mode) and grammars go along.
    /// </summary>
    public IChatClient OpenAIChat(string model) => new Inference.Client.InferenceParametersChatClient(new OpenAIClient(
        new ApiKeyCredential("unused"),
        new OpenAIClientOptions
        {
            Endpoint = new Uri(Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        }).GetChatClient(model).AsIChatClient());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                _data.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
