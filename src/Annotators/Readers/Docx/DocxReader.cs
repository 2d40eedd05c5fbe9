using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>
/// Reads Word documents (.docx) with the Open XML SDK: headings from heading styles and outline levels,
/// paragraphs, bulleted and numbered lists, tables (first row as header; nested tables follow their table) and the
/// core properties. Hostile packages are refused before the SDK parses them (<see cref="DocxPartGuard"/>), and the body
/// is streamed one top-level block at a time, so neither nesting nor size can crash the process or balloon its memory.
/// </summary>
public sealed class DocxReader(IOptions<ReaderOptions> options) : IDocumentReader
{
    /// <summary>Notice code: the document has tracked changes, read as if all were accepted.</summary>
    public const string TrackedChangesNotice = "tracked-changes";

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Docx;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken) =>
        Task.Run(() => Read(source, options.Value, cancellationToken), cancellationToken);

    private static Document Read(DocumentSource source, ReaderOptions options, CancellationToken cancellationToken)
    {
        var fileName = source.FileName;
        try
        {
            using var stream = OpenXmlPackages.OpenChecked(source, options);
            // Parts loaded whole go through the guard first; the SDK's own character limit is a second line behind it.
            using var word = WordprocessingDocument.Open(stream, isEditable: false,
                new OpenSettings { MaxCharactersInPart = options.MaxDocxBlockBytes });
            var main = word.MainDocumentPart
                ?? throw new AnnotationException(FailureReason.Corrupt, $"'{fileName}' has no main document part: it is not a complete Word document.");

            var styles = OpenXmlPackages.CheckWhole(main.StyleDefinitionsPart, fileName, options)?.Styles;
            var numbering = OpenXmlPackages.CheckWhole(main.NumberingDefinitionsPart, fileName, options)?.Numbering;
            var properties = OpenXmlPackages.ReadProperties(word, fileName, options);

            var partName = main.Uri.OriginalString;
            DocxPartGuard.CheckDocumentPart(main.GetStream(FileMode.Open, FileAccess.Read), fileName, partName, options, cancellationToken);
            var builder = new DocxBlockBuilder(styles, numbering, fileName, options, cancellationToken);
            AddHeadersOrFooters(main.HeaderParts.Select(h => (OpenXmlPart)h), BlockRole.Header, builder, fileName, options);
            using (var part = DocxPartGuard.OpenBounded(main.GetStream(FileMode.Open, FileAccess.Read), fileName, partName, options))
            using (var reader = new TypedOpenXmlPartReader(part, new OpenXmlPartReaderOptions
            {
                IgnoreWhitespace = true,
                MaxCharactersInPart = options.MaxDocxPartBytes,
            }))
            {
                if (!ReadBody(reader, builder))
                {
                    throw new AnnotationException(FailureReason.Corrupt, $"'{fileName}' has no document body: it is not a complete Word document.");
                }
            }

            AddHeadersOrFooters(main.FooterParts.Select(f => (OpenXmlPart)f), BlockRole.Footer, builder, fileName, options);
            AddNotes(main, builder, fileName, options);

            var blocks = builder.Build();
            return new Document
            {
                FileName = fileName,
                Format = SourceFormat.Docx,
                SizeBytes = source.Length,
                Properties = properties,
                Blocks = blocks,
                Notices = builder.HadTrackedChanges
                    ? [new Notice(TrackedChangesNotice,
                        $"'{fileName}' has tracked changes: it was read with every change accepted (deleted text left out, inserted text kept).") { Source = "docx" }]
                    : [],
                Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
            };
        }
        catch (Exception ex) when (OpenXmlPackages.IsDamaged(ex))
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{fileName}' is not a readable Word document (damaged or truncated): {ex.Message}", inner: ex);
        }
    }

    /// <summary>
    /// Headers or footers, once each: a section's first-page, even-page and default headers usually repeat the same
    /// letterhead, and every section may repeat it again. Read before the body (headers) or after it (footers).
    /// </summary>
    private static void AddHeadersOrFooters(IEnumerable<OpenXmlPart> parts, BlockRole role, DocxBlockBuilder builder, string fileName, ReaderOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        builder.Role = role;
        foreach (var part in parts.OrderBy(p => p.Uri.OriginalString, StringComparer.Ordinal))
        {
            OpenXmlPackages.CheckWhole(part, fileName, options);
            var root = part.RootElement;
            if (root is null || !seen.Add(root.InnerText))
            {
                continue;
            }
            foreach (var element in root.Elements())
            {
                builder.Add(element);
            }
        }
        builder.Role = BlockRole.Body;
    }

    /// <summary>
    /// Footnotes, endnotes and comments that the text refers to, in the order of their first reference, each under the
    /// label of its reference. A comment names its author and the text it was made on.
    /// </summary>
    private static void AddNotes(MainDocumentPart main, DocxBlockBuilder builder, string fileName, ReaderOptions options)
    {
        if (builder.ReferencedNotes.Count == 0)
        {
            return;
        }
        var notes = new Dictionary<string, (BlockRole Role, string Prefix, OpenXmlElement Note)>(StringComparer.Ordinal);
        foreach (var footnote in OpenXmlPackages.CheckWhole(main.FootnotesPart, fileName, options)?.Footnotes?.Elements<Footnote>() ?? [])
        {
            if (footnote.Id?.Value is { } id)
            {
                notes.TryAdd(DocxBlockBuilder.FootnoteLabel(id), (BlockRole.Footnote, string.Empty, footnote));
            }
        }
        foreach (var endnote in OpenXmlPackages.CheckWhole(main.EndnotesPart, fileName, options)?.Endnotes?.Elements<Endnote>() ?? [])
        {
            if (endnote.Id?.Value is { } id)
            {
                notes.TryAdd(DocxBlockBuilder.EndnoteLabel(id), (BlockRole.Endnote, string.Empty, endnote));
            }
        }
        foreach (var comment in OpenXmlPackages.CheckWhole(main.WordprocessingCommentsPart, fileName, options)?.Comments?.Elements<Comment>() ?? [])
        {
            if (comment.Id?.Value is { } id)
            {
                var author = string.IsNullOrWhiteSpace(comment.Author?.Value) ? "Comment" : $"Comment by {comment.Author.Value.Trim()}";
                var on = builder.CommentedText.GetValueOrDefault(id) is { Length: > 0 } covered ? $" on “{covered}”" : string.Empty;
                notes.TryAdd(DocxBlockBuilder.CommentLabel(id), (BlockRole.Comment, author + on + ": ", comment));
            }
        }
        foreach (var label in builder.ReferencedNotes.ToList())
        {
            if (notes.TryGetValue(label, out var note))
            {
                builder.Role = note.Role;
                builder.AddNote(label, note.Role, note.Prefix, note.Note.Elements());
            }
        }
        builder.Role = BlockRole.Body;
    }

    /// <summary>
    /// Hands the body's children to the builder one at a time: each is loaded as objects, used and dropped, so memory
    /// holds one block's markup at a time, never the whole body.
    /// </summary>
    private static bool ReadBody(OpenXmlReader reader, DocxBlockBuilder builder)
    {
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Body) || !reader.IsStartElement)
            {
                continue;
            }
            if (reader.ReadFirstChild())
            {
                do
                {
                    // Only what the builder reads is loaded; anything else (bookmarks, section properties…) is skipped unparsed.
                    if (reader.IsStartElement && DocxBlockBuilder.Reads(reader.ElementType)
                        // Leaves the reader on the element's end, from where ReadNextSibling moves on.
                        && reader.LoadCurrentElement() is { } element)
                    {
                        builder.Add(element);
                    }
                }
                while (reader.ReadNextSibling());
            }
            return true;
        }
        return false;
    }
}
