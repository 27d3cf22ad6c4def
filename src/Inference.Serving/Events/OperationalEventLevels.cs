namespace Inference.Serving.Events;

public static class OperationalEventLevels
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";

    public static bool IsKnown(string level) => level is Info or Warning or Error;
}
