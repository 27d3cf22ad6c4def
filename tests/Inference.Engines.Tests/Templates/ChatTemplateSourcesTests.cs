using Inference.Engines.Templates;
using Microsoft.Extensions.AI;

namespace Inference.Engines.Tests.Templates;

public sealed class ChatTemplateSourcesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("template-sources-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_template_that_does_not_parse_stops_the_load_naming_its_file_and_line()
    {
        var file = Path.Combine(_folder, ChatTemplateSources.JinjaFileName);
        File.WriteAllText(file, "{% for m in messages %}\n{{ m.content }}\n{% endif %}");

        var error = Assert.Throws<ModelFolderException>(() => ChatTemplateSources.Find(_folder, null));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Named_templates_serve_requests_with_tools_from_tool_use_and_the_rest_from_default()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """
            {"bos_token": "<s>", "chat_template": [
              {"name": "default", "template": "{{ bos_token }}plain:{{ messages[0].content }}"},
              {"name": "tool_use", "template": "{{ bos_token }}tools:{{ tools | map(attribute='function.name') | join(',') }}:{{ messages[0].content }}"}]}
            """);
        var format = ChatTemplateSources.Find(_folder, null)!;
        var tool = AIFunctionFactory.CreateDeclaration("lookup", "Looks up", System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement);

        Assert.Equal("<s>plain:Hi", format.Render("m", [new(ChatRole.User, "Hi")], [], null).Text);
        Assert.Equal("<s>tools:lookup:Hi", format.Render("m", [new(ChatRole.User, "Hi")], [tool], null).Text);
    }

    [Fact]
    public void A_configured_template_is_a_family_name_jinja_text_or_a_file()
    {
        File.WriteAllText(Path.Combine(_folder, "mine.jinja"), "file:{{ messages | length }}");
        List<ChatMessage> hi = [new(ChatRole.User, "Hi")];

        Assert.IsType<BuiltInChatFormat>(ChatTemplateSources.Find(_folder, "chatml"));
        Assert.Equal("text:1", ChatTemplateSources.Find(_folder, "text:{{ messages | length }}")!.Render("m", hi, [], null).Text);
        Assert.Equal("file:1", ChatTemplateSources.Find(_folder, "mine.jinja")!.Render("m", hi, [], null).Text);
        Assert.Contains("neither a built-in one", Assert.Throws<ModelFolderException>(() => ChatTemplateSources.Find(_folder, "nope")).Message, StringComparison.Ordinal);
    }
}
