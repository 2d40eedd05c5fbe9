namespace Annotate.Gateway.Tests.Support;

/// <summary>Paths of the shared, read-only corpus beside the repository.</summary>
public static class Shared
{
    public static string Corpus(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
        {
            dir = dir.Parent;
        }
        var path = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "corpus", relative));
        return File.Exists(path) ? path : throw new FileNotFoundException(path);
    }
}
