namespace Annotate.Annotators.Models.Download;

/// <summary>A model could not be pulled; the message names the model or file and the reason.</summary>
public sealed class ModelDownloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelDownloadException(string message, bool isTransient = false, Exception? inner = null)
        : base(message, inner)
    {
        IsTransient = isTransient;
    }

    /// <summary>Creates a permanent failure.</summary>
    public ModelDownloadException()
        : this("The model could not be downloaded.")
    {
    }

    /// <summary>Creates a permanent failure.</summary>
    public ModelDownloadException(string message)
        : this(message, false)
    {
    }

    /// <summary>Creates a permanent failure.</summary>
    public ModelDownloadException(string message, Exception inner)
        : this(message, false, inner)
    {
    }

    /// <summary>True when trying again (and resuming) may succeed: server busy, connection cut, stalled transfer.</summary>
    public bool IsTransient { get; }
}
