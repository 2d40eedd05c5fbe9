using System.Reflection;
using System.Text.Json;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Writers.Json;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes <c>annotations.json</c>: the document's source, properties, structure and everything the annotators
/// found, in the versioned format described by <see cref="AnnotationsSchema"/>.
/// </summary>
public sealed class AnnotationsJsonWriter(TimeProvider time) : IOutputWriter
{
    /// <summary>The file written.</summary>
    public const string FileName = "annotations.json";

    /// <summary>Most entities written; a notice says when more were found.</summary>
    public const int MaxEntities = 100_000;

    private const int CancellationCheckRows = 4096;

    private static readonly string GeneratorVersion =
        typeof(AnnotationsJsonWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AnnotationsJsonWriter).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <inheritdoc />
    public string Kind => "annotations";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <inheritdoc />
    /// <remarks>
    /// Serializing a long document's findings is the longest single step after the table writers (0.15 s of 100,000
    /// e-mail addresses); beside them it uses the core they leave (docs/BENCHMARKS.md). After them when the document has
    /// row fields, whose places they record (<see cref="DescribesOtherOutputs"/>).
    /// </remarks>
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public bool DescribesOtherOutputs => true;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var file = Build(context.DocumentId, context.Document, context.Annotations, cancellationToken);
        var path = Path.Combine(context.OutputDirectory, FileName);
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await JsonSerializer.SerializeAsync(stream, file, AnnotationsJsonContext.Default.AnnotationsFile, cancellationToken).ConfigureAwait(false);
        }
        return [WrittenOutput.For(context.OutputDirectory, FileName, Kind, "application/json")];
    }

    private AnnotationsFile Build(string documentId, Document document, AnnotationSet annotations, CancellationToken cancellationToken)
    {
        List<Notice> notices;
        // Under the list's lock: the writers beside this one may add notices (RunsAlongside).
        lock (annotations.Notices)
        {
            notices = new List<Notice>(annotations.Notices);
        }
        // The pipeline copies the reader's notices into the annotations; a caller that did not still gets them.
        notices.AddRange(document.Notices.Where(n => !notices.Contains(n)));
        IReadOnlyList<EntityAnnotation> entities = annotations.Entities;
        if (entities.Count > MaxEntities)
        {
            notices.Add(new Notice("entities-truncated",
                $"{entities.Count:N0} entities were found; annotations.json lists the first {MaxEntities:N0}.") { Source = Kind });
            entities = annotations.Entities.GetRange(0, MaxEntities);
        }
        return new AnnotationsFile
        {
            Schema = AnnotationsSchema.Id,
            SchemaVersion = AnnotationsSchema.Version,
            DocumentId = documentId,
            GeneratedAt = time.GetUtcNow(),
            Generator = new GeneratorInfo("annotate", GeneratorVersion),
            Source = new SourceInfo(document.FileName, FormatName(document.Format), document.SizeBytes, document.Sha256),
            Properties = document.Properties,
            Outline = document.Outline,
            Sheets = document.Sheets,
            Blocks = document.Blocks.Select((block, index) => Describe(block, index, cancellationToken)).ToList(),
            Language = annotations.Language,
            BlockLanguages = annotations.BlockLanguages,
            Statistics = annotations.Statistics,
            Entities = entities,
            Columns = annotations.Columns,
            KeyValues = annotations.KeyValues,
            Metadata = annotations.Metadata,
            Extraction = annotations.Extraction,
            Reformat = annotations.Reformat is { } reformat ? Describe(reformat) : null,
            Rows = annotations.Rows is { } rows ? Describe(rows) : null,
            Qa = annotations.QuestionAnswers is { } qa ? new QaSection(qa.Pairs.Count, qa.Chunks, qa.Pairs, qa.Provenance, qa.Annotator) : null,
            DocumentType = annotations.DocumentType,
            Keywords = annotations.Keywords.Count > 0 ? annotations.Keywords : null,
            Summary = annotations.Summary,
            DuplicateOf = annotations.DuplicateOf,
            ColumnTypes = annotations.ColumnTypes.Count > 0 ? annotations.ColumnTypes : null,
            Parent = document.ParentDocumentId is { } parent ? new ParentInfo(parent) : null,
            Parts = document.Parts.Count > 0
                ? document.Parts.Select((p, i) => new PartInfo(i, p.Name, p.Path, p.SizeBytes, p.Sha256, p.DocumentId)).ToList()
                : null,
            Notices = notices,
            Annotators = annotations.Runs.Select(r => r with { DurationMs = Math.Round(r.DurationMs, 3) }).ToList(),
            Extensions = annotations.Extensions,
        };
    }

    /// <summary>The lowercase format name used in annotations.json.</summary>
    public static string FormatName(SourceFormat format) => format switch
    {
        SourceFormat.Pdf => "pdf",
        SourceFormat.Xlsx => "xlsx",
        SourceFormat.Csv => "csv",
        SourceFormat.Docx => "docx",
        SourceFormat.Text => "text",
        SourceFormat.Markdown => "markdown",
        SourceFormat.Pptx => "pptx",
        SourceFormat.Html => "html",
        SourceFormat.Png => "png",
        SourceFormat.Jpeg => "jpeg",
        SourceFormat.Tiff => "tiff",
        SourceFormat.Eml => "eml",
        SourceFormat.Zip => "zip",
        _ => "unknown",
    };

    private static BlockInfo Describe(Block block, int index, CancellationToken cancellationToken)
    {
        var info = new BlockInfo
        {
            Index = index,
            Kind = block.Kind switch
            {
                BlockKind.Heading => "heading",
                BlockKind.Paragraph => "paragraph",
                BlockKind.List => "list",
                _ => "table",
            },
            Location = block.Location with { Block = index },
            Role = block.Role == BlockRole.Body ? null : JsonNamingPolicy.CamelCase.ConvertName(block.Role.ToString()),
        };
        return block switch
        {
            HeadingBlock heading => info with { Level = heading.Level },
            NoteBlock note => info with { Label = note.Label },
            TableBlock table => info with
            {
                Name = table.Name,
                HasHeaderRow = table.HasHeaderRow,
                Rows = table.Rows.Count ?? CountRows(table.Rows, cancellationToken),
                Columns = table.Columns.Count,
            },
            _ => info,
        };
    }

    private static ReformatSection Describe(ReformatAnnotation reformat) => new(
        reformat.Target,
        ReformatAnnotation.FileNameFor(reformat.Target),
        reformat.Target == ReformatAnnotation.Markdown ? null : reformat.Records.Count,
        reformat.Target == ReformatAnnotation.Markdown ? reformat.MarkdownText?.Length ?? 0 : null,
        reformat.Chunks,
        reformat.Provenance,
        reformat.Annotator);

    private static RowsSection Describe(RowAnnotations rows) => new(
        rows.Fields,
        rows.Tables.Select(t => new RowsTable(t.Sheet, t.Table, t.Block,
            t.Rows.OrderBy(r => r.Key).Select(r => new RowValues(r.Key, r.Value) { CsvRecord = t.CsvRecords.TryGetValue(r.Key, out var record) ? record : null }).ToList())
        {
            // Where the writers put the values, so a review can correct them in the outputs without the source.
            WorkbookSheet = t.WorkbookColumn is null ? null : t.WorkbookSheet,
            WorkbookColumn = t.WorkbookColumn,
            Csv = t.CsvFile,
        }).ToList(),
        rows.Provenance,
        rows.Annotator);

    private static long CountRows(ITableRows rows, CancellationToken cancellationToken)
    {
        var count = 0L;
        foreach (var _ in rows)
        {
            if (++count % CancellationCheckRows == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        return count;
    }
}
