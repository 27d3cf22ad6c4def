using System.Text.Json;
using Json.Schema;

namespace Inference.Engines.Tests;

public sealed class JsonSchemaGrammarTests
{
    public static TheoryData<string> Schemas => new()
    {
        """{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":150},"tags":{"type":"array","items":{"type":"string","enum":["a","b","c"]},"minItems":1,"maxItems":3}},"required":["name","age"],"additionalProperties":false}""",
        """{"type":"object","properties":{"kind":{"const":"point"},"x":{"type":"number","minimum":-5,"maximum":5},"y":{"type":"number"},"label":{"type":["string","null"],"minLength":2,"maxLength":4}},"required":["kind","x"],"additionalProperties":false}""",
        """{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"integer","exclusiveMinimum":-20,"exclusiveMaximum":1234},"c":{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"}},"additionalProperties":false}""",
        """{"anyOf":[{"type":"object","properties":{"ok":{"const":true},"value":{"type":"integer","minimum":10,"maximum":99}},"required":["ok","value"],"additionalProperties":false},{"type":"object","properties":{"ok":{"const":false},"error":{"type":"string","maxLength":20}},"required":["ok","error"],"additionalProperties":false}]}""",
        """{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","minimum":-3,"maximum":3},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"],"additionalProperties":false}},"$ref":"#/$defs/node"}""",
        """{"type":"array","items":{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"},"day":{"type":"string","format":"date"}},"required":["when","id","day"],"additionalProperties":false},"minItems":2,"maxItems":2}""",
        """{"type":"object","additionalProperties":{"type":"integer","minimum":1,"maximum":9}}""",
        """{"oneOf":[{"type":"string","enum":["red","green"]},{"type":"integer","minimum":100}]}""",
        """{"type":"object","properties":{"score":{"type":"number","minimum":0,"maximum":1},"nested":{"type":"object","properties":{"deep":{"type":"array","items":{"type":"array","items":{"type":"boolean"},"maxItems":2},"maxItems":2}},"required":["deep"],"additionalProperties":false}},"required":["score","nested"],"additionalProperties":false}""",
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Everything_decoded_under_a_schema_validates_against_it(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        var grammar = JsonSchemaGrammar.Compile(document.RootElement);
        var schema = JsonSchema.FromText(schemaJson);
        var random = new Random(schemaJson.Length);
        var distinct = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            var text = RandomDecoder.Decode(grammar, random);
            using var node = JsonDocument.Parse(text);
            var result = schema.Evaluate(node.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            Assert.True(result.IsValid, $"{text} does not validate: {string.Join("; ", result.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values) ?? [])}");
            distinct.Add(text);
        }

        // Random choices really explore the language rather than repeat one answer.
        Assert.True(distinct.Count > 10, $"only {distinct.Count} distinct outputs");
    }

    [Theory]
    [InlineData("""{"type":"integer","minimum":-1000,"maximum":-7}""")]
    [InlineData("""{"type":"integer","minimum":7,"maximum":1234}""")]
    [InlineData("""{"type":"integer","minimum":-15,"maximum":15}""")]
    [InlineData("""{"type":"integer","minimum":95}""")]
    [InlineData("""{"type":"integer","maximum":-95}""")]
    [InlineData("""{"type":"number","minimum":-2,"maximum":3}""")]
    [InlineData("""{"type":"number","minimum":-20,"maximum":-3}""")]
    public void Integer_and_number_bounds_admit_exactly_the_range(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        var grammar = JsonSchemaGrammar.Compile(document.RootElement);
        var schema = JsonSchema.FromText(schemaJson);
        for (var n = -2000; n <= 2000; n++)
        {
            foreach (var text in (string[])[n.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{n}.5", $"{n}.0"])
            {
                using var parsed = JsonDocument.Parse(text);
                var valid = schema.Evaluate(parsed.RootElement).IsValid;
                var isInteger = schemaJson.Contains("integer", StringComparison.Ordinal);
                if (isInteger && text.Contains('.', StringComparison.Ordinal))
                {
                    continue;
                }

                Assert.True(valid == grammar.Matches(text), $"{text}: schema says {valid}, grammar says {!valid}");
            }
        }
    }

    [Theory]
    [InlineData("""{"type":"string","not":{"const":"x"}}""", "not")]
    [InlineData("""{"type":"object","patternProperties":{"^a":{}}}""", "patternProperties")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"uniqueItems":true}""", "uniqueItems")]
    [InlineData("""{"type":"number","multipleOf":3}""", "multipleOf")]
    [InlineData("""{"type":"string","format":"email"}""", "format")]
    [InlineData("""{"type":"string","pattern":"(?=a)b"}""", "pattern")]
    [InlineData("""{"type":"number","minimum":0.5}""", "minimum")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "$ref")]
    [InlineData("""{"allOf":[{"type":"string"},{"maxLength":3}]}""", "allOf")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["b"]}""", "required")]
    [InlineData("""{"type":"thing"}""", "type")]
    [InlineData("""{"if":{"type":"string"},"then":{"maxLength":2}}""", "if")]
    public void Refuses_what_it_cannot_enforce_naming_the_keyword(string schemaJson, string keyword)
    {
        using var document = JsonDocument.Parse(schemaJson);
        var error = Assert.Throws<UnsupportedSchemaException>(() => JsonSchemaGrammar.Compile(document.RootElement));
        Assert.Equal(keyword, error.Keyword);
        Assert.Contains($"'{keyword}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_object_mode_decodes_objects_that_parse()
    {
        var grammar = GbnfGrammar.Parse(JsonGrammarRules.AnyObject());
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            var text = RandomDecoder.Decode(grammar, random);
            using var parsed = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
        }
    }

    [Fact]
    public void A_grammar_of_one_string_decodes_exactly_it()
    {
        var grammar = GbnfGrammar.Parse("root ::= \"The answer is: 42 - é日本\"");
        var random = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("The answer is: 42 - é日本", RandomDecoder.Decode(grammar, random));
        }
    }
}
