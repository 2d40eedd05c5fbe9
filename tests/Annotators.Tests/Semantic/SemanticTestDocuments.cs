using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Semantic;

/// <summary>Reads generated Markdown through the real reader, as the pipeline would.</summary>
internal static class SemanticTestDocuments
{
    public static async Task<Document> ReadMarkdown(string markdown, string fileName = "document.md")
    {
        using var dir = new TempDir();
        var path = dir.File(fileName);
        await File.WriteAllTextAsync(path, markdown);
        return await new MarkdownReader().ReadAsync(new DocumentSource(path, fileName), CancellationToken.None);
    }

    public static async Task<AnnotationContext> Context(string markdown, AnnotationProfile? profile = null, string documentId = "doc-1") =>
        new(documentId, await ReadMarkdown(markdown), profile ?? new AnnotationProfile());
}
