namespace Inference.Protocols.Responses;

/// <summary>The ids of responses and their items, prefixed by kind as OpenAI's are.</summary>
internal static class Ids
{
    public static string Response() => "resp_" + Next();

    public static string Message() => "msg_" + Next();

    public static string FunctionCall() => "fc_" + Next();

    public static string FunctionCallOutput() => "fco_" + Next();

    public static string Reasoning() => "rs_" + Next();

    private static string Next() => Guid.CreateVersion7().ToString("N");
}
