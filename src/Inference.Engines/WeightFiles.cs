namespace Inference.Engines;

/// <summary>The size of a model's weights on disk, for the formats' <see cref="IModelFormat.WeightBytes"/>.</summary>
public static class WeightFiles
{
    /// <summary>
    /// A weights file's length with its external data (<c>model.onnx_data</c> beside <c>model.onnx</c>); for a folder, its
    /// largest file ending in <paramref name="extension"/> (the variants of one model are alternatives, not parts); 0
    /// when there is none or it cannot be read.
    /// </summary>
    public static long Bytes(string path, string extension)
    {
        try
        {
            if (File.Exists(path))
            {
                var data = path + "_data";
                return new FileInfo(path).Length + (File.Exists(data) ? new FileInfo(data).Length : 0);
            }

            if (Directory.Exists(path))
            {
                return Directory.EnumerateFiles(path, "*" + extension, SearchOption.AllDirectories)
                    .Select(f => Bytes(f, extension))
                    .DefaultIfEmpty(0)
                    .Max();
            }
        }
        catch (IOException)
        {
            // Unknown: the budget counts it when it is loaded.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
