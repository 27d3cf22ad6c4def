using System.Text;
using System.Text.Json.Nodes;
using Inference.Engines.Templates.Jinja;
using InferenceAspire.TestSupport;

namespace Inference.Engines.Tests.Templates;

public sealed class JinjaTemplateTests
{
    private static readonly TimeProvider Fixed = new FixedTime(new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_shared_models_templates_render_as_transformers_does_for_every_conversation()
    {
        var templates = SharedModelTemplates.All();
        Assert.Contains(templates, t => t.Name.StartsWith("gpt-oss", StringComparison.Ordinal));
        Assert.Contains(templates, t => t.Name.StartsWith("qwen3", StringComparison.Ordinal));
        Assert.Contains(templates, t => t.Name.StartsWith("gemma3", StringComparison.Ordinal));
        var cases = templates.SelectMany(t => ChatTemplateScenarios.All().Select(s =>
        {
            s.Context["bos_token"] = t.Bos;
            s.Context["eos_token"] = t.Eos;
            return ($"{t.Name} [{s.Name}]", t.Template, s.Context);
        })).ToList();

        var mismatches = Compare(cases);

        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
        Assert.True(cases.Count >= 50, $"{cases.Count} renderings");
    }

    [Fact]
    public void Each_feature_chat_templates_use_renders_as_the_reference_does()
    {
        var cases = JinjaFeatureTemplates.All().Select(f => (f.Name, f.Template, (JsonObject)JsonNode.Parse(f.Data)!)).ToList();

        var mismatches = Compare(cases);

        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
    }

    [Fact]
    public void A_syntax_error_names_its_line()
    {
        var error = Assert.Throws<JinjaException>(() => JinjaTemplate.Parse("line one\n{% for m in messages %}\n{{ m.content }}\n{% endif %}"));

        Assert.Equal(4, error.Line);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Assert.Throws<JinjaException>(() => JinjaTemplate.Parse("ok\n{{ a + }}")).Line);
        Assert.Equal(1, Assert.Throws<JinjaException>(() => JinjaTemplate.Parse("{% if x %}never closed")).Line);
    }

    [Fact]
    public void Raise_exception_carries_the_templates_own_message()
    {
        var template = JinjaTemplate.Parse("{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok");

        var raised = Assert.Throws<JinjaRaisedException>(() => template.Render(Variables("""{"messages": [{"role": "system", "content": "x"}]}""")));

        Assert.Equal("System role not supported", raised.Message);
        Assert.Equal("ok", template.Render(Variables("""{"messages": [{"role": "user", "content": "x"}]}""")));
    }

    [Fact]
    public void Strftime_now_reads_the_clock_it_is_given()
    {
        var template = JinjaTemplate.Parse("{{ strftime_now('%d %B %Y') }}");

        Assert.Equal("10 July 2025", template.Render(new Dictionary<string, object?>(), Fixed));
    }

    [Fact]
    public void A_template_cannot_change_what_it_is_given()
    {
        var template = JinjaTemplate.Parse("{% set x = messages.append(1) %}");

        Assert.Throws<JinjaException>(() => template.Render(Variables("""{"messages": []}""")));
    }

    private static List<string> Compare(List<(string Name, string Template, JsonObject Data)> cases)
    {
        var references = ReferenceChatTemplates.Render(cases);
        var mismatches = new List<string>();
        foreach (var ((name, source, data), reference) in cases.Zip(references))
        {
            string? actual = null;
            string? error = null;
            try
            {
                actual = JinjaTemplate.Parse(source).Render(Variables(data.ToJsonString()), Fixed);
            }
            catch (JinjaException ex)
            {
                error = ex.Message;
            }

            if (reference.Expected is { } expected && actual != expected)
            {
                mismatches.Add($"{name}: expected\n{expected}\nbut got\n{actual ?? "error: " + error}\n(first difference at {FirstDifference(expected, actual ?? "")})");
            }
            else if (reference.Error is { } raised && (error is null || !error.StartsWith(raised, StringComparison.Ordinal)))
            {
                mismatches.Add($"{name}: expected the error '{raised}' but got {(error is null ? "\n" + actual : "'" + error + "'")}");
            }
        }

        return mismatches;
    }

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    private static Dictionary<string, object?> Variables(string json)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in JsonNode.Parse(json)!.AsObject())
        {
            variables[key] = value?.DeepClone();
        }

        return variables;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
