using System.Reflection;
using System.Text.Json;
using Inference.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Inference.Api.OpenApi;

/// <summary>
/// Names each property of a schema as the route serialises it: the OpenAI, Ollama and classification contracts are
/// written by their own snake_case JSON contexts, not by the web defaults the document generator reads.
/// </summary>
internal sealed class WireNameSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (schema.Properties is not { Count: > 0 } properties || WireFormats.TypeInfo(type) is not { } wire)
        {
            return Task.CompletedTask;
        }

        foreach (var property in wire.Properties)
        {
            if (property.AttributeProvider is not MemberInfo member)
            {
                continue;
            }

            var generated = context.JsonTypeInfo.Properties.FirstOrDefault(p => (p.AttributeProvider as MemberInfo)?.Name == member.Name)?.Name
                ?? JsonNamingPolicy.CamelCase.ConvertName(member.Name);
            if (generated != property.Name && properties.Remove(generated, out var value))
            {
                properties[property.Name] = value;
                if (schema.Required?.Remove(generated) == true)
                {
                    schema.Required.Add(property.Name);
                }
            }
        }

        return Task.CompletedTask;
    }
}
