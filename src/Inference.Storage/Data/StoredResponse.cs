namespace Inference.Storage.Data;

/// <summary>
/// A response kept for OpenAI's Responses API (<c>store</c>): its body as answered, the input items its request sent,
/// and the conversation a next response continues from (<c>previous_response_id</c>) — every earlier item, this
/// request's input and this response's output, in the API's item shape.
/// </summary>
public sealed class StoredResponse
{
    public required string Id { get; set; }

    /// <summary>The tenant whose response it is (null when made with authentication off): only it and admins see it.</summary>
    public string? Tenant { get; set; }

    public required string Model { get; set; }

    public DateTimeOffset Created { get; set; }

    /// <summary>The response object as answered (JSON).</summary>
    public required string Body { get; set; }

    /// <summary>The request's own input items (JSON array), each with its id.</summary>
    public required string Input { get; set; }

    /// <summary>The items a continuation starts from (JSON array): the previous conversation, this input and this output.</summary>
    public required string Conversation { get; set; }
}
