using Annotate.Annotators.Writers;
using Annotate.Gateway.Storage;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Messages;

namespace Annotate.Gateway.Review;

/// <summary>
/// The reviewed forms of <c>annotated.xlsx</c> and the CSVs: copies of the model's outputs with the reviewer's row
/// fields written over the model's, made when asked for (so they always follow the latest review), streamed through a
/// temporary file; the outputs in the outbox are never changed.
/// </summary>
public sealed class ReviewedDownloads(IBlobStore blobs, ReviewStore reviews, ILogger<ReviewedDownloads> logger)
{
    /// <summary>Folder of the reviewed forms in the outputs zip.</summary>
    public const string ZipFolder = "reviewed/";

    /// <summary>True for the outputs that have a reviewed form.</summary>
    public static bool HasReviewedForm(OutputFile output) => output.Kind is "xlsx" or "csv";

    /// <summary>The name a reviewed form is downloaded as: <c>annotated.reviewed.xlsx</c>, <c>Sheet1.reviewed.csv</c>.</summary>
    public static string DownloadName(string name) => Path.GetFileNameWithoutExtension(name) + ".reviewed" + Path.GetExtension(name);

    /// <summary>
    /// The reviewed form of <paramref name="output"/> under <paramref name="review"/>, open for reading (its temporary
    /// file goes when it is closed); null when the output is no longer in the outbox.
    /// </summary>
    public async Task<Stream?> OpenAsync(DocumentRecord record, OutputFile output, ReviewedAnnotations review, CancellationToken cancellationToken)
    {
        if (!HasReviewedForm(output) || BlobReference.KeyOf(record.OutputUri) is not { } prefix || !BlobKeys.IsValid(prefix + output.Name))
        {
            return null;
        }
        var index = RowAnnotationsIndex.Of(await reviews.ReadAnnotationsAsync(record, cancellationToken));
        var temporary = ProcessTemporaryFolder.NewPath("reviewed-");
        var source = temporary + ".source";
        try
        {
            await using (var original = await blobs.OpenReadAsync(prefix + output.Name, cancellationToken))
            {
                if (original is null)
                {
                    return null;
                }
                await using var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                if (output.Kind == "csv")
                {
                    var values = CsvValues(output.Name, index, review);
                    await Task.Run(() => ReviewedOutputs.CopyCsv(original, target, index?.Fields.Count ?? 0, values, cancellationToken), cancellationToken);
                }
                else
                {
                    // A zip is read by seeking: the workbook is copied to a file first, never into memory.
                    await using (var copy = new FileStream(source, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                    {
                        await original.CopyToAsync(copy, cancellationToken);
                    }
                    var cells = WorkbookCells(index, review);
                    await Task.Run(() => ReviewedOutputs.CopyWorkbook(source, target, cells, cancellationToken), cancellationToken);
                }
            }
            return new FileStream(temporary, FileMode.Open, FileAccess.Read, FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The reviewed form of {Output} of document {Id} could not be written", output.Name, record.Id);
            File.Delete(temporary);
            throw new ReviewException($"The reviewed form of '{output.Name}' could not be written: the output is not as the writers left it.");
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        finally
        {
            File.Delete(source);
        }
    }

    private static Dictionary<long, IReadOnlyDictionary<int, string>> CsvValues(string name, RowAnnotationsIndex? index, ReviewedAnnotations review)
    {
        var values = new Dictionary<long, IReadOnlyDictionary<int, string>>();
        foreach (var (value, table, row, field) in Placed(index, review))
        {
            if (string.Equals(table.Csv, name, StringComparison.Ordinal) && row.CsvRecord is { } record)
            {
                if (!values.TryGetValue(record, out var fields))
                {
                    values[record] = fields = new Dictionary<int, string>();
                }
                ((Dictionary<int, string>)fields)[field] = value.Value ?? string.Empty;
            }
        }
        return values;
    }

    private static Dictionary<string, IReadOnlyList<ReviewedCell>> WorkbookCells(RowAnnotationsIndex? index, ReviewedAnnotations review)
    {
        var cells = new Dictionary<string, IReadOnlyList<ReviewedCell>>(StringComparer.Ordinal);
        foreach (var (value, table, _, field) in Placed(index, review))
        {
            if (table.WorkbookSheet is { } sheet && table.WorkbookColumn is { } column)
            {
                if (!cells.TryGetValue(sheet, out var list))
                {
                    cells[sheet] = list = new List<ReviewedCell>();
                }
                ((List<ReviewedCell>)list).Add(new ReviewedCell(value.Row, column + field, value.Value ?? string.Empty));
            }
        }
        return cells;
    }

    /// <summary>Each reviewed row value with its table, its row and the index of its field.</summary>
    private static IEnumerable<(ReviewedRowValue Value, AnnotatedTable Table, AnnotatedRow Row, int Field)> Placed(RowAnnotationsIndex? index, ReviewedAnnotations review)
    {
        if (index is null)
        {
            yield break;
        }
        foreach (var value in review.Rows ?? [])
        {
            var field = index.FieldIndex(value.Field);
            if (field >= 0 && index.Tables.TryGetValue(value.Block, out var table) && table.Rows.TryGetValue(value.Row, out var row))
            {
                yield return (value, table, row, field);
            }
        }
    }
}
