using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Writers.Markdown;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes <c>content.md</c>: the document rewritten as clean Markdown — a title, headings, paragraphs, lists and
/// tables, page markers between PDF pages and one section per sheet of a workbook.
/// </summary>
public sealed class MarkdownWriter(IOptions<MarkdownWriterOptions> options) : IOutputWriter
{
    /// <summary>Name of the file written.</summary>
    public const string FileName = "content.md";

    /// <summary>Media type of the file written.</summary>
    public const string MediaType = "text/markdown";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <inheritdoc />
    public string Kind => "markdown";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var path = Path.Combine(context.OutputDirectory, FileName);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var writer = new StreamWriter(stream, Utf8) { NewLine = "\n" };
            await using (writer.ConfigureAwait(false))
            {
                await WriteAsync(context.Document, writer, cancellationToken).ConfigureAwait(false);
            }
        }
        return [WrittenOutput.For(context.OutputDirectory, FileName, Kind, MediaType)];
    }

    /// <summary>Writes the Markdown of <paramref name="document"/> to <paramref name="writer"/>.</summary>
    public async Task WriteAsync(Document document, TextWriter writer, CancellationToken cancellationToken)
    {
        var output = new MarkdownOutput(writer);
        var title = document.Properties.Title is { Length: > 0 } property
            ? property.Trim()
            : document.Blocks.OfType<HeadingBlock>().FirstOrDefault(h => h.Role == BlockRole.Body)?.Content.Trim();
        var skipTitleHeading = false;
        if (!string.IsNullOrWhiteSpace(title))
        {
            await output.BlockAsync("# " + MarkdownText.Heading(title)).ConfigureAwait(false);
            // The heading the title came from (or that repeats it) is not written twice.
            skipTitleHeading = document.Blocks.OfType<HeadingBlock>().FirstOrDefault(h => h.Role == BlockRole.Body) is { } first
                && string.Equals(first.Content.Trim(), title, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var notice in document.Notices)
        {
            await output.BlockAsync($"<!-- {notice.Code}: {notice.Message.Replace("--", "- -", StringComparison.Ordinal)} -->").ConfigureAwait(false);
        }

        var blocks = document.Blocks.AsEnumerable();
        if (skipTitleHeading)
        {
            var first = document.Blocks.OfType<HeadingBlock>().First(h => h.Role == BlockRole.Body);
            blocks = blocks.Where(b => !ReferenceEquals(b, first));
        }

        if (document.Sheets.Count > 0)
        {
            await WriteSheetsAsync(document, blocks.ToList(), output, cancellationToken).ConfigureAwait(false);
        }
        else if (document.Format == SourceFormat.Pdf || document.Pages.Count > 0)
        {
            await WritePagesAsync(document, blocks.ToList(), output, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A page header or footer (read once) is marked as such, so it is not taken for the body's first lines.
            string? marked = null;
            foreach (var block in blocks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var role = block.Role is BlockRole.Header ? "header" : block.Role is BlockRole.Footer ? "footer" : null;
                if (role != marked)
                {
                    await output.BlockAsync(marked is null ? $"<!-- {role} -->" : role is null ? $"<!-- /{marked} -->" : $"<!-- /{marked} -->\n<!-- {role} -->").ConfigureAwait(false);
                    marked = role;
                }
                await WriteBlockAsync(block, output, cancellationToken).ConfigureAwait(false);
            }
            if (marked is not null)
            {
                await output.BlockAsync($"<!-- /{marked} -->").ConfigureAwait(false);
            }
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WritePagesAsync(Document document, IReadOnlyList<Block> blocks, MarkdownOutput output, CancellationToken cancellationToken)
    {
        var pageCount = Math.Max(document.Pages.Count, document.Properties.PageCount ?? 0);
        var page = 0;
        foreach (var block in blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var blockPage = block.Location.Page ?? page;
            while (page < blockPage)
            {
                page++;
                await output.BlockAsync(PageMarker(page)).ConfigureAwait(false);
            }
            await WriteBlockAsync(block, output, cancellationToken).ConfigureAwait(false);
        }
        // Pages without text after the last block still get their marker, so page numbers stay countable.
        while (page < pageCount)
        {
            page++;
            await output.BlockAsync(PageMarker(page)).ConfigureAwait(false);
        }
    }

    private static string PageMarker(int page) => $"<!-- page {page.ToString(CultureInfo.InvariantCulture)} -->";

    private async Task WriteSheetsAsync(Document document, IReadOnlyList<Block> blocks, MarkdownOutput output, CancellationToken cancellationToken)
    {
        // Blocks that belong to no sheet (a workbook-level heading) come first.
        foreach (var block in blocks.Where(b => b.Location.Sheet is null))
        {
            await WriteBlockAsync(block, output, cancellationToken).ConfigureAwait(false);
        }
        foreach (var sheet in document.Sheets.OrderBy(s => s.Index))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var heading = "## Sheet: " + MarkdownText.Heading(sheet.Name) + (sheet.Hidden ? " (hidden)" : string.Empty);
            await output.BlockAsync(heading).ConfigureAwait(false);
            var sheetBlocks = blocks.Where(b => string.Equals(b.Location.Sheet, sheet.Name, StringComparison.Ordinal)).ToList();
            if (sheetBlocks.Count == 0)
            {
                await output.BlockAsync("_This sheet is empty._").ConfigureAwait(false);
            }
            foreach (var block in sheetBlocks)
            {
                if (block is TableBlock { Name: { Length: > 0 } name } && !string.Equals(name, sheet.Name, StringComparison.Ordinal))
                {
                    await output.BlockAsync("### Table: " + MarkdownText.Heading(name)).ConfigureAwait(false);
                }
                await WriteBlockAsync(block, output, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task WriteBlockAsync(Block block, MarkdownOutput output, CancellationToken cancellationToken) => block switch
    {
        HeadingBlock heading => output.BlockAsync(new string('#', Math.Clamp(heading.Level, 1, 6)) + " " + MarkdownText.Heading(heading.Content)),
        // A slide's speaker notes: a quote under the slide, so they are not read as the slide's own text.
        ParagraphBlock { Role: BlockRole.SpeakerNotes } notes => output.BlockAsync(
            "> **Notes:** " + MarkdownText.Escape(notes.Content).Replace("\n", "\n> ", StringComparison.Ordinal)),
        ParagraphBlock paragraph => string.IsNullOrWhiteSpace(paragraph.Content)
            ? Task.CompletedTask
            : output.BlockAsync(WithNoteReferences(MarkdownText.Escape(paragraph.Content), paragraph.NoteReferences)),
        // A footnote definition: Markdown links it with its references and lists it at the end.
        NoteBlock note => output.BlockAsync("[^" + note.Label + "]: " + MarkdownText.Escape(note.Content).Replace("\n", " ", StringComparison.Ordinal)),
        ListBlock list => output.BlockAsync(ListText(list)),
        TableBlock table => WriteTableAsync(table, output, cancellationToken),
        _ => output.BlockAsync(MarkdownText.Escape(block.Text)),
    };

    /// <summary>Escaping turned each <c>[^label]</c> of the paragraph's note references into text; make them references again.</summary>
    private static string WithNoteReferences(string escaped, IReadOnlyList<string> labels)
    {
        foreach (var label in labels.Distinct(StringComparer.Ordinal))
        {
            escaped = escaped.Replace(@"\[^" + label + @"\]", "[^" + label + "]", StringComparison.Ordinal);
        }
        return escaped;
    }

    private static string ListText(ListBlock list)
    {
        var text = new StringBuilder();
        // The source's own numbers when it has them: "3." starts a Markdown list at 3; "2.1" or "b)" stay as written.
        var numbered = list.Ordered && list.Numbers.Count == list.Items.Count;
        var start = numbered && int.TryParse(list.Numbers[0].TrimEnd('.', ')'), NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 1;
        var plain = !numbered || list.Numbers.Select((n, i) => n == (start + i).ToString(CultureInfo.InvariantCulture) + ".").All(b => b);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var marker = !list.Ordered ? "- "
                : plain ? (start + i).ToString(CultureInfo.InvariantCulture) + ". "
                : "- " + MarkdownText.Cell(list.Numbers[i]) + " ";
            var item = MarkdownText.Escape(list.Items[i]);
            // Continuation lines are indented to the item's text so they stay inside the item.
            text.Append(marker).Append(item.Replace("\n", "\n" + new string(' ', marker.Length), StringComparison.Ordinal));
            if (i < list.Items.Count - 1)
            {
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    private async Task WriteTableAsync(TableBlock table, MarkdownOutput output, CancellationToken cancellationToken)
    {
        var width = table.Columns.Count;
        if (width == 0)
        {
            return;
        }
        var limit = options.Value.MaxTableRows;
        await output.StartBlockAsync().ConfigureAwait(false);
        await output.LineAsync("| " + string.Join(" | ", table.Columns.Select(c => MarkdownText.Cell(c) is { Length: > 0 } cell ? cell : " ")) + " |").ConfigureAwait(false);
        await output.LineAsync("|" + string.Concat(Enumerable.Repeat(" --- |", width))).ConfigureAwait(false);
        long written = 0;
        long leftOut = 0;
        foreach (var row in table.Rows)
        {
            if (written >= limit)
            {
                if (table.Rows.Count is { } count)
                {
                    leftOut = count - written;
                    break;
                }
                leftOut++; // streamed rows of unknown count: counting them costs a pass, not memory
                continue;
            }
            if (written % 256 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var cells = Enumerable.Range(0, width).Select(i => i < row.Cells.Count ? MarkdownText.Cell(row.Cells[i].Display ?? row.Cells[i].Text) : string.Empty);
            await output.LineAsync("| " + string.Join(" | ", cells) + " |").ConfigureAwait(false);
            written++;
        }
        if (leftOut > 0)
        {
            await output.BlockAsync(string.Create(CultureInfo.InvariantCulture,
                $"_{leftOut:N0} more rows left out (the first {written:N0} are shown); the full data is in the CSV/xlsx outputs._")).ConfigureAwait(false);
        }
    }

    /// <summary>Separates blocks by exactly one blank line.</summary>
    private sealed class MarkdownOutput(TextWriter writer)
    {
        private bool _started;

        public async Task StartBlockAsync()
        {
            if (_started)
            {
                await writer.WriteLineAsync().ConfigureAwait(false);
            }
            _started = true;
        }

        public Task LineAsync(string line) => writer.WriteLineAsync(line);

        public async Task BlockAsync(string text)
        {
            await StartBlockAsync().ConfigureAwait(false);
            await writer.WriteLineAsync(text).ConfigureAwait(false);
        }
    }
}
