using Inference.Serving;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public static class StartupErrors
{
    /// <summary>
    /// Runs the app; a configuration or model-folder error at start ends it with one clear line on stderr and exit
    /// code 1 instead of a stack trace.
    /// </summary>
    public static async Task<int> RunWithStartupErrorsAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var name = app.Environment.ApplicationName;
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is ModelFolderException or InferenceConfigurationException or OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"{name} cannot start: {ex.Message}");
            return 1;
        }
    }
}
