using System.Text.Json.Serialization;

namespace Inference.Engines.Templates;

[JsonSerializable(typeof(ChatTemplate))]
[JsonSerializable(typeof(PrefixPromptTemplate))]
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class TemplateJsonContext : JsonSerializerContext;
