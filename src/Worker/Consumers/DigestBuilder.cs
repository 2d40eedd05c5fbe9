using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Messages;

namespace Annotate.Worker.Consumers;

/// <summary>Condenses an <see cref="AnnotationResult"/> into the short <see cref="AnnotationDigest"/> carried by events.</summary>
public static class DigestBuilder
{
    /// <summary>Builds the digest.</summary>
    public static AnnotationDigest From(AnnotationResult result)
    {
        var document = result.Document;
        var annotations = result.Annotations;
        var statistics = annotations.Statistics;
        return new AnnotationDigest
        {
            Format = document.Format.ToString().ToLowerInvariant(),
            Title = document.Properties.Title is { Length: > 0 } title
                ? title
                : document.Blocks.OfType<HeadingBlock>().FirstOrDefault()?.Content,
            Language = annotations.Language?.Code,
            Pages = document.Properties.PageCount ?? (document.Sheets.Count > 0 ? document.Sheets.Count : null),
            Words = statistics?.Words ?? 0,
            Tables = statistics?.Tables ?? document.Blocks.OfType<TableBlock>().Count(),
            Rows = statistics?.Rows ?? 0,
            Entities = annotations.Entities.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count()),
            Notices = annotations.Notices.Select(n => n.Code).Distinct().ToList(),
        };
    }
}
