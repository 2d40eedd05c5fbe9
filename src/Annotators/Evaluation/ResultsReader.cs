namespace Annotate.Annotators.Evaluation;

/// <summary>Reads a folder of outbox results: each sub-folder (a document's output folder) holding an <c>annotations.json</c>.</summary>
public static class ResultsReader
{
    private const string FileName = "annotations.json";

    /// <summary>
    /// The documents of <paramref name="folder"/>: <c>&lt;id&gt;/annotations.json</c> for every sub-folder that has one (a
    /// folder that is itself one document's output is read as one). Symbolic links are not followed.
    /// </summary>
    public static async Task<IReadOnlyList<ProducedDocument>> ReadFolderAsync(string folder, EvaluationOptions options, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            throw new EvaluationException($"The results folder '{folder}' does not exist.");
        }
        var documents = new List<ProducedDocument>();
        var own = Path.Combine(folder, FileName);
        if (File.Exists(own))
        {
            documents.Add(await ReadAsync(own, FileName, options, cancellationToken).ConfigureAwait(false));
            return documents;
        }
        foreach (var directory in new DirectoryInfo(folder).EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Outbox folders are written as plain folders; a link would lead the reader out of the results.
            if (directory.LinkTarget is not null || directory.Name.StartsWith('.'))
            {
                continue;
            }
            var path = Path.Combine(directory.FullName, FileName);
            if (File.Exists(path) && new FileInfo(path).LinkTarget is null)
            {
                documents.Add(await ReadAsync(path, $"{directory.Name}/{FileName}", options, cancellationToken).ConfigureAwait(false));
            }
        }
        return documents;
    }

    private static async Task<ProducedDocument> ReadAsync(string path, string source, EvaluationOptions options, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        return await ProducedDocument.ReadAsync(stream, source, options.MaxAnnotationsBytes, cancellationToken).ConfigureAwait(false);
    }
}
