using System.Security.Cryptography;

namespace Annotate.Annotators.Models.Host;

/// <summary>Finds the configured GGUF file, checks it is one, and hashes it.</summary>
internal static class GgufFile
{
    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>
    /// A configured path with a folder part is used as given; a bare file name is looked up in the models folder, so
    /// <c>Annotate:Model:Path=qwen.gguf</c> finds the file <c>models pull</c> downloaded.
    /// </summary>
    public static string Resolve(string configured, string modelsFolder)
    {
        var trimmed = configured.Trim();
        if (Path.IsPathRooted(trimmed) || trimmed.Contains(Path.DirectorySeparatorChar) || trimmed.Contains(Path.AltDirectorySeparatorChar))
        {
            return Path.GetFullPath(trimmed);
        }
        return Path.GetFullPath(Path.Combine(modelsFolder, trimmed));
    }

    /// <summary>Null when the file exists and starts with the GGUF magic, otherwise why it cannot be loaded.</summary>
    public static string? Check(string path)
    {
        if (!File.Exists(path))
        {
            return $"model file not found: {path}";
        }
        Span<byte> head = stackalloc byte[4];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // llama.cpp reports a non-GGUF file only through its log; checking the magic here gives the user a clear reason.
        return read == head.Length && head.SequenceEqual(Magic)
            ? null
            : $"not a GGUF model file (the first bytes are not 'GGUF'): {path}";
    }

    /// <summary>Lowercase hex SHA-256, streamed so multi-gigabyte models never sit in memory.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }
}
