using System.Diagnostics;

namespace InferenceAspire.TestSupport;

/// <summary>
/// A random-weights Llama of SmolLM2-135M's width and vocabulary (two layers, so it is quick to make and to run), as
/// an optimum ONNX folder and the same weights as an F32 GGUF, made with the shared tools on first use into
/// <c>artifacts/synthetic-models</c> and reused after (several test processes share one copy under a lock). It has the
/// real SmolLM tokenizer and ChatML template and an 8k context: room for tool prompts that the 256-token chat model
/// lacks. Making it needs Debian's python3-torch, python3-onnx and python3-numpy; without them the tests fail, saying so.
/// </summary>
public static class SyntheticModels
{
    public const string OnnxId = "smollm2-2l-random";
    public const string GgufId = "smollm2-2l-random-gguf";

    private const string ChatMl = """
        { "name": "ChatML", "system_prefix": "<|im_start|>system\n", "system_suffix": "<|im_end|>\n",
          "user_prefix": "<|im_start|>user\n", "user_suffix": "<|im_end|>\n",
          "model_prefix": "<|im_start|>assistant\n", "model_suffix": "<|im_end|>\n" }
        """;

    private static readonly Lazy<(string Onnx, string Gguf)> Made = new(Make);

    /// <summary>The ONNX folder.</summary>
    public static string OnnxFolder => Made.Value.Onnx;

    /// <summary>The folder holding the F32 GGUF (and a ChatML prompt_template.json, which the GGUF lacks).</summary>
    public static string GgufFolder => Path.GetDirectoryName(Made.Value.Gguf)!;

    public static string GgufFile => Made.Value.Gguf;

    private static (string, string) Make()
    {
        var root = RepositoryRoot();
        var directory = Path.Combine(root, "artifacts", "synthetic-models");
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, OnnxId);
        var ggufFolder = Path.Combine(directory, GgufId);
        var gguf = Path.Combine(ggufFolder, OnnxId + ".F32.gguf");
        using var held = Lock(Path.Combine(directory, ".lock"));
        var tools = SharedTools(root);
        if (!File.Exists(Path.Combine(onnx, "onnx", "model.onnx")))
        {
            var staging = onnx + ".partial";
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Python(Path.Combine(tools, "make-synthetic-llama.py"), "--preset", "smollm2-135m", "--layers", "2",
                "--tokenizer", Path.Combine(tools, "..", "models", "SmolLM-360M-Instruct-tokenizer"), "--out", staging);
            Directory.Move(staging, onnx);
        }

        if (!File.Exists(gguf))
        {
            Directory.CreateDirectory(ggufFolder);
            var staging = gguf + ".partial";
            Python(Path.Combine(tools, "synthetic-llama-to-gguf.py"), onnx, staging);
            File.Move(staging, gguf, overwrite: true);
        }

        File.WriteAllText(Path.Combine(ggufFolder, "prompt_template.json"), ChatMl);
        return (onnx, gguf);
    }

    /// <summary>
    /// <c>artifacts/<paramref name="name"/></c>, made by the script <c>tests/tools/<paramref name="script"/></c>
    /// (<paramref name="make"/> runs it, given the script's path and the folder) unless every file of
    /// <paramref name="made"/> is there from the script as it is now: made again when the script changes.
    /// </summary>
    internal static string MadeByScript(string name, string script, string[] made, Action<string, string> make)
    {
        var root = RepositoryRoot();
        var directory = Path.Combine(root, "artifacts", name);
        Directory.CreateDirectory(directory);
        using var held = Lock(Path.Combine(directory, ".lock"));
        var path = Path.Combine(root, "tests", "tools", script);
        var stamp = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        var stampFile = Path.Combine(directory, "made-by.sha256");
        if (!made.All(file => File.Exists(Path.Combine(directory, file))) || !File.Exists(stampFile) || File.ReadAllText(stampFile) != stamp)
        {
            foreach (var folder in Directory.EnumerateDirectories(directory))
            {
                Directory.Delete(folder, recursive: true);
            }

            make(path, directory);
            File.WriteAllText(stampFile, stamp);
        }

        return directory;
    }

    internal static void Python(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(script)} took more than 5 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(script)} failed ({process.ExitCode}); it needs Debian's python3-torch, python3-onnx and python3-numpy.\n{error.Result}{output.Result}");
        }
    }

    internal static FileStream Lock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    internal static string SharedTools(string root)
    {
        var models = Environment.GetEnvironmentVariable("INFERENCE_MODELS_DIR");
        var tools = models is { Length: > 0 } ? Path.Combine(models, "..", "tools") : Path.Combine(root, "..", "shared", "tools");
        return Directory.Exists(tools) ? Path.GetFullPath(tools) : throw new DirectoryNotFoundException($"The shared tools are not at {tools}.");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InferenceAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (InferenceAspire.sln) is not above the test binaries.");
    }
}
