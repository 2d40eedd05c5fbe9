namespace Annotate.Annotators.Models.Download;

/// <summary>How far a model download is.</summary>
/// <param name="BytesDone">Bytes of the file on disk so far, including a resumed part.</param>
/// <param name="TotalBytes">Size of the whole file, or null when the server does not say.</param>
/// <param name="BytesPerSecond">Average transfer rate of this session (resumed bytes excluded).</param>
public sealed record DownloadProgress(long BytesDone, long? TotalBytes, double BytesPerSecond)
{
    /// <summary>Percentage done (0–100), or null when the total is unknown.</summary>
    public double? Percent => TotalBytes is > 0 ? Math.Min(100.0, BytesDone * 100.0 / TotalBytes.Value) : null;

    /// <summary>Estimated time left at the current rate, or null when it cannot be estimated.</summary>
    public TimeSpan? Remaining => TotalBytes is { } total && BytesPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, total - BytesDone) / BytesPerSecond)
        : null;

    /// <summary>True when every byte is there.</summary>
    public bool IsComplete => TotalBytes is { } total && BytesDone >= total;
}
