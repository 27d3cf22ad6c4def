using Inference.Onnx.Chat;
using Inference.Onnx.Embeddings;
using Inference.Onnx.Models;
using Inference.Onnx.Scheduling;

namespace Inference.Onnx.Tests;

public sealed class ModelLoadingTests
{
    [Fact]
    public void A_missing_folder_is_named_in_the_error()
    {
        var error = Assert.Throws<ModelFolderException>(() => LocalChatModel.Load("x", "/nonexistent/model-x", TestModels.Options));
        Assert.Equal("Model folder '/nonexistent/model-x': the folder does not exist", error.Message);
    }

    [Fact]
    public void A_folder_without_weights_says_the_onnx_file_is_missing()
    {
        var folder = TestModels.Folder("SmolLM-360M-Instruct-tokenizer");
        var error = Assert.Throws<ModelFolderException>(() => LocalChatModel.Load("smol", folder, TestModels.Options));
        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("no ONNX file found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_config_says_so()
    {
        var folder = Directory.CreateTempSubdirectory("model-").FullName;
        try
        {
            var error = Assert.Throws<ModelFolderException>(() => LocalChatModel.Load("m", folder, TestModels.Options));
            Assert.Contains("neither config.json nor genai_config.json is present", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_precision_is_refused_and_a_missing_one_lists_what_exists()
    {
        var folder = TestModels.Folder(TestModels.WordnetChat);
        Assert.Contains("unknown precision 'fp8'", Assert.Throws<ModelFolderException>(() => ModelPrecision.Resolve(folder, "fp8")).Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ModelFolderException>(() => ModelPrecision.Resolve(folder, "q4")).Message;
        Assert.Contains("model_q4.onnx", missing, StringComparison.Ordinal);
        Assert.Contains("found model.onnx", missing, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("onnx", "model.onnx"), ModelPrecision.Resolve(folder, "fp32"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedding_folder_cannot_be_loaded_as_a_chat_model()
    {
        var error = Assert.Throws<ModelFolderException>(() => LocalChatModel.Load("m2v", TestModels.Folder(TestModels.M2vEmbedding), TestModels.Options));
        Assert.Contains("no key/value cache inputs", error.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFolderException>(() => LocalEmbeddingModel.Load("gpt2", TestModels.Folder(TestModels.TinyGpt2), TestModels.Options));
    }

    [Fact]
    public async Task The_queue_is_bounded_and_reports_its_depth()
    {
        using var queue = new ModelRequestQueue("m", concurrency: 1, queueLimit: 1);
        var running = await queue.EnterAsync(CancellationToken.None);
        var waiting = queue.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(1, queue.Depth);
        Assert.Equal(1, queue.Running);
        await Assert.ThrowsAsync<ModelBusyException>(() => queue.EnterAsync(CancellationToken.None).AsTask());
        Assert.False(waiting.IsCompleted);
        running.Dispose();
        (await waiting).Dispose();
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.Running);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue()
    {
        using var queue = new ModelRequestQueue("m", concurrency: 1, queueLimit: 4);
        using var running = await queue.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = queue.EnterAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, queue.Depth);
    }
}
