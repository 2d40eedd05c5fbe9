namespace Annotate.Annotators.Tests.Support;

/// <summary>Finds the shared corpus and model, and makes scratch folders that clean up after themselves.</summary>
public static class TestFiles
{
    /// <summary>The repository root (the folder holding Annotate.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder beside the repository (read-only).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>A file of the shared corpus, e.g. <c>Corpus("pdf/multicolumn.pdf")</c>.</summary>
    public static string Corpus(string relative)
    {
        var path = Path.Combine(Shared, "corpus", relative);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Corpus file missing: {path}");
        }
        return path;
    }

    /// <summary>The tiny real GGUF model used by model tests.</summary>
    public static string Model => Path.Combine(Shared, "models", "stories260K.gguf");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Annotate.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "annotate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open on some platform must not fail the test.
        }
    }
}
