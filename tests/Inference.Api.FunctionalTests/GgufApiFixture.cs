using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inference.Api.FunctionalTests;

/// <summary>
/// The Api serving the trained wordnet-chat-1m twice, from its ONNX folder and from its GGUF folder (the F32 file,
/// which reproduces golden.json), plus the Q8_0 file by path.
/// </summary>
public sealed class GgufApiFixture : WebApplicationFactory<Program>
{
    public const string Onnx = "wordnet-chat-1m";
    public const string Gguf = "wordnet-chat-1m-gguf";
    public const string Q8 = "wordnet-q8";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Inference:ModelsDirectory", InferenceApiFixture.ModelsRoot);
        builder.UseSetting($"Inference:Models:{Onnx}:Path", Onnx);
        builder.UseSetting($"Inference:Models:{Gguf}:Path", Gguf);
        builder.UseSetting($"Inference:Models:{Q8}:Path", Path.Combine(Gguf, "wordnet-chat-1m.Q8_0.gguf"));
        builder.UseSetting("Inference:LlamaCpp:Quantization", "F32");
        builder.UseSetting("Inference:LlamaCpp:MaxSequences", "8");
        builder.UseSetting("Inference:Engine:IntraOpThreads", "1");
        builder.UseSetting("Inference:Cache:Enabled", "false");
    }
}
