using Inference.Engines;
using Inference.Engines.Templates;

namespace InferenceAspire.TestSupport.Scripted;

/// <summary>
/// A model format for test services: a folder holding <c>script.txt</c> (the raw output the model writes, every time)
/// beside a real model's tokenizer files and chat template, found as every model's template is found.
/// </summary>
public sealed class ScriptedModelFormat : IModelFormat
{
    public const string ScriptFile = "script.txt";

    public string Name => "scripted";

    public string Expects => ScriptFile;

    public bool Claims(string path) => File.Exists(Path.Combine(path, ScriptFile));

    public ModelKind DetectKind(string path) => ModelKind.Chat;

    public long WeightBytes(string path) => 0;

    public LoadedModel Load(ModelLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var format = ChatTemplateSources.Find(request.Path, request.ChatTemplate);
        var script = File.ReadAllText(Path.Combine(request.Path, ScriptFile));
        var model = new ScriptedModel(request.Id, format, _ => script);
        return new LoadedModel
        {
            Kind = ModelKind.Chat,
            Description = new ModelDescription
            {
                Format = Name,
                Source = request.Path,
                ContextLength = 100_000,
                ChatTemplate = format?.Name,
                ChatTemplateText = format?.Template,
                ToolCallSyntax = format?.ToolCalls.Name,
                Reasoning = format?.Reasoning?.Name,
            },
            ChatClient = new ScriptedChatClient(model),
            Owner = model,
        };
    }
}
