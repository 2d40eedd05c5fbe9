namespace Annotate.Annotators.Models.Download;

/// <summary>A GGUF model <c>models pull</c> knows by name: where to get it and how to check it.</summary>
public sealed record ModelCatalogEntry
{
    /// <summary>Short lowercase name used on the command line, e.g. <c>qwen2.5-0.5b-instruct</c>.</summary>
    public required string Name { get; init; }

    /// <summary>One line for <c>models list</c>: model, quantisation, approximate size, what it suits.</summary>
    public string Description { get; init; } = "";

    /// <summary>Absolute http(s) URL of the GGUF file (Hugging Face <c>resolve/main</c> URLs redirect to a CDN).</summary>
    public required string Url { get; init; }

    /// <summary>
    /// Lowercase hex SHA-256 of the file, or null when unknown: the download is then not verified, and the computed
    /// hash is printed and recorded in <c>&lt;file&gt;.sha256</c> instead.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>Exact size in bytes, or null when unknown (the server's length is then trusted).</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Licence of the weights, shown so users know what they accept.</summary>
    public string? License { get; init; }

    /// <summary>Context size (tokens) that suits document annotation with this model, or null.</summary>
    public int? RecommendedContext { get; init; }

    /// <summary>File name the model is stored under: the explicit one, else the last segment of <see cref="Url"/>.</summary>
    public string FileName
    {
        get => _fileName ?? FileNameFromUrl(Url);
        init => _fileName = value;
    }

    private readonly string? _fileName;

    /// <summary>The last path segment of <paramref name="url"/>, unescaped; fails when it cannot name a file.</summary>
    internal static string FileNameFromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ModelDownloadException($"'{url}' is not an absolute URL.");
        }
        var name = Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath));
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ModelDownloadException($"Cannot derive a file name from '{url}': its path must end with the GGUF file name.");
        }
        return name;
    }
}
