namespace Inference.Onnx.Generation;

public enum KvCacheStyle
{
    /// <summary>One input per layer and per key/value (optimum).</summary>
    Separate,

    /// <summary>One input per layer stacking key and value on a leading axis of 2 (GPT-2 exports).</summary>
    Combined,
}
