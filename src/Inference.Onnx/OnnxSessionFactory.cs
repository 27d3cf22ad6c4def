using Inference.Onnx.Models;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Onnx;

internal static class OnnxSessionFactory
{
    public static InferenceSession Create(string folder, string path, OnnxEngineOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // ONNX Runtime's own default counts physical cores, which some virtual machines under-report; measured on
            // a 2-core VM, one thread per logical core embedded ~30% faster.
            IntraOpNumThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount,
        };

        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelFolderException(folder, $"ONNX Runtime could not load {Path.GetRelativePath(folder, path)} ({ex.Message})", ex);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }
}
