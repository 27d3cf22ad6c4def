using Inference.LlamaCpp.Gguf;
using Inference.Engines.Templates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Inference.LlamaCpp.Tests;

/// <summary>Which file of a folder is loaded, what its metadata says, its template, and the errors of files that cannot be served.</summary>
public sealed class GgufLoadingTests
{
    [Fact]
    public void A_folder_of_quantizations_loads_by_the_preference()
    {
        Assert.Equal(GgufModels.WordnetQ8, GgufFolder.Select(GgufModels.WordnetFolder, new LlamaCppEngineOptions().QuantizationOrder));
        Assert.Equal(GgufModels.WordnetF32, GgufFolder.Select(GgufModels.WordnetFolder, ["F32", "Q8_0"]));
        Assert.Equal(GgufModels.WordnetF32, GgufFolder.Select(GgufModels.WordnetF32, ["Q8_0"]));
        // A folder with no file of a preferred type still serves one (by name), rather than nothing.
        Assert.Equal(GgufModels.WordnetF32, GgufFolder.Select(GgufModels.WordnetFolder, ["Q4_K_M"]));
    }

    [Theory]
    [InlineData("smollm2-135m.Q4_K_M.gguf", "Q4_K_M")]
    [InlineData("Llama-3.2-1B-Instruct-Q8_0.gguf", "Q8_0")]
    [InlineData("ggml-model-f16.gguf", "F16")]
    [InlineData("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "Q4_K_M")]
    [InlineData("Phi-3-mini-4k-instruct-IQ4_XS.gguf", "IQ4_XS")]
    [InlineData("model.gguf", null)]
    public void The_quantization_is_read_from_hugging_face_file_names(string name, string? expected)
    {
        Assert.Equal(expected, GgufFolder.QuantizationOf(name));
    }

    [Fact]
    public void Split_parts_after_the_first_and_projectors_are_not_candidates()
    {
        using var folder = new TempFolder();
        folder.File("mmproj-model-f16.gguf", [1]);
        folder.File("model-Q4_K_M-00002-of-00002.gguf", [1]);
        Assert.False(GgufFolder.HoldsModel(folder.Path));
        var first = folder.File("model-Q4_K_M-00001-of-00002.gguf", [1]);
        Assert.True(GgufFolder.HoldsModel(folder.Path));
        Assert.Equal(first, GgufFolder.Select(folder.Path, ["Q4_K_M"]));
    }

    [Fact]
    public async Task The_Q8_0_file_loads_reports_its_quantization_and_answers()
    {
        using var model = GgufModels.Load(GgufModels.WordnetFolder);
        Assert.Equal(GgufModels.WordnetQ8, model.File.Path);
        Assert.Equal("Q8_0", model.File.Quantization);
        var response = await new LlamaChatClient(model).GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy());
        Assert.Equal("dog: a member of the genus Canis that has been domesticated by man since prehistoric times.", response.Text);
    }

    [Fact]
    public void The_format_reports_the_models_capabilities_from_its_metadata()
    {
        var format = new GgufModelFormat(Options.Create(GgufModels.Options(o => o.Quantization = "F32")), NullLoggerFactory.Instance);
        Assert.True(format.Claims(GgufModels.WordnetFolder));
        Assert.True(format.Claims(GgufModels.WordnetF32));
        Assert.False(format.Claims(Path.Combine(GgufModels.Root, "wordnet-chat-1m")));
        Assert.Equal(ModelKind.Chat, format.DetectKind(GgufModels.WordnetFolder));

        var loaded = format.Load(new ModelLoadRequest("w", GgufModels.WordnetFolder, ModelKind.Chat));
        using var owner = loaded.Owner;
        Assert.Equal("gguf", loaded.Description.Format);
        Assert.Equal(GgufModels.WordnetF32, loaded.Description.Source);
        Assert.Equal("llama", loaded.Description.Architecture);
        Assert.Equal(984_192, loaded.Description.ParameterCount);
        Assert.Equal("F32", loaded.Description.Quantization);
        Assert.Equal(256, loaded.Description.ContextLength);
        Assert.Equal(128, loaded.Description.EmbeddingLength);
        Assert.Equal("gguf", loaded.Description.ChatTemplate);
        Assert.Equal(4L, loaded.Description.Metadata["llama.block_count"]);
        Assert.Equal(1e-5, loaded.Description.Metadata["llama.attention.layer_norm_rms_epsilon"]);
        Assert.False(loaded.Description.Metadata.ContainsKey("tokenizer.ggml.tokens"));
        Assert.Equal(new FileInfo(GgufModels.WordnetF32).Length, loaded.WeightBytes);
        Assert.IsType<LlamaChatClient>(loaded.ChatClient);
        Assert.Throws<ModelFolderException>(() => format.Load(new ModelLoadRequest("w", GgufModels.WordnetFolder, ModelKind.Embedding)));
    }

    [Fact]
    public async Task A_seed_style_prompt_template_json_beside_the_file_overrides_the_models_template()
    {
        using var folder = new TempFolder();
        folder.Copy(GgufModels.WordnetF32);
        folder.File("prompt_template.json", """
            {
              "name": "wordnet-plain",
              "user_prefix": "<|im_start|>user\n",
              "user_suffix": "<|im_end|>\n",
              "model_prefix": "<|im_start|>assistant\n",
              "model_suffix": "<|im_end|>\n"
            }
            """u8.ToArray());
        using var model = GgufModels.Load(folder.Path);

        var format = Assert.IsType<BuiltInChatFormat>(model.Format);
        Assert.Equal("wordnet-plain", format.Name);
        Assert.Equal(["<|im_end|>"], format.Stop);
        // No system parts: the system text joins the first user message.
        Assert.Equal("<|im_start|>user\nBe brief.\n\nHi<|im_end|>\n<|im_start|>assistant\n", format.Family.RenderPrompt("w", [("system", "Be brief."), ("user", "Hi")]));
        var response = await new LlamaChatClient(model).GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy());
        Assert.StartsWith("dog: a member of the genus Canis", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_built_in_template_is_used_and_raw_mode_bypasses_every_template()
    {
        using var model = GgufModels.Load(GgufModels.WordnetF32, chatTemplate: "chatml");
        var format = Assert.IsType<BuiltInChatFormat>(model.Format);
        var client = new LlamaChatClient(model);
        var rendered = format.Family.RenderPrompt("w", [("user", "What does \"dog\" mean?")]);
        var templated = await client.GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy());
        var raw = await client.GetResponseAsync(rendered, GgufModels.Greedy(raw: true));
        Assert.Equal(templated.Text, raw.Text);
        Assert.Equal(templated.Usage!.InputTokenCount, raw.Usage!.InputTokenCount);
        var rawAsIs = await client.GetResponseAsync("What does \"dog\" mean?", GgufModels.Greedy(8, raw: true));
        Assert.Equal(model.Vocabulary.Tokenize("What does \"dog\" mean?").Length, rawAsIs.Usage!.InputTokenCount);
        Assert.True(rawAsIs.Usage.InputTokenCount < templated.Usage.InputTokenCount);

        Assert.Contains("the chat template 'nope' is neither a built-in one", Assert.Throws<ModelFolderException>(() => GgufModels.Load(GgufModels.WordnetF32, chatTemplate: "nope")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_are_not_whole_gguf_models_are_refused_naming_the_file_and_the_cause()
    {
        using var folder = new TempFolder();
        var original = File.ReadAllBytes(GgufModels.WordnetF32);
        var notGguf = folder.File("text.gguf", "this is not a model"u8.ToArray());
        var cutInHeader = folder.File("header.gguf", original[..100]);
        var cutInData = folder.File("half.gguf", original[..(original.Length / 2)]);
        var version = original.ToArray();
        version[4] = 1;
        var oldVersion = folder.File("v1.gguf", version);

        Assert.Equal($"Model file '{notGguf}': not a GGUF file (it does not start with the GGUF magic)", Load(notGguf));
        Assert.Equal($"Model file '{cutInHeader}': truncated: the file ends at byte 100, inside its GGUF header", Load(cutInHeader));
        Assert.Equal($"Model file '{cutInData}': truncated: its tensors need {original.Length:N0} bytes but the file has {original.Length / 2:N0}", Load(cutInData));
        Assert.Equal($"Model file '{oldVersion}': GGUF version 1 is not supported (llama.cpp reads versions 2 and 3)", Load(oldVersion));
        using var empty = new TempFolder();
        Assert.Equal($"Model folder '{empty.Path}': no .gguf model file found", Load(empty.Path));
        Assert.Contains("KvCacheSize (100) is smaller than one request's context (256 tokens)", Load(GgufModels.WordnetF32, o => o.KvCacheSize = 100), StringComparison.Ordinal);
    }

    private static string Load(string path, Action<LlamaCppEngineOptions>? configure = null)
    {
        var error = Assert.Throws<ModelFolderException>(() => GgufModels.Load(path, GgufModels.Options(configure)).Dispose());
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }
}
