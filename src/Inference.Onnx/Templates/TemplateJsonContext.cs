using System.Text.Json.Serialization;

namespace Inference.Onnx.Templates;

[JsonSerializable(typeof(ChatTemplate))]
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class TemplateJsonContext : JsonSerializerContext;
