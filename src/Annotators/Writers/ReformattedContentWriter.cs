using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes what the <c>reformat</c> annotator produced: <c>reformatted.md</c>, <c>records.json</c> (an array of records)
/// or <c>records.csv</c> (one column per property of the record schema; nested values as JSON text).
/// </summary>
public sealed class ReformattedContentWriter : IOutputWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <inheritdoc />
    public string Kind => "reformat";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Annotations.Reformat is not { } reformat)
        {
            return [];
        }
        var name = ReformatAnnotation.FileNameFor(reformat.Target);
        var path = Path.Combine(context.OutputDirectory, name);
        switch (reformat.Target)
        {
            case ReformatAnnotation.Markdown:
                await File.WriteAllTextAsync(path, reformat.MarkdownText ?? string.Empty, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                return [WrittenOutput.For(context.OutputDirectory, name, Kind, "text/markdown")];
            case ReformatAnnotation.JsonRecords:
                var array = new JsonArray(reformat.Records.Select(r => (JsonNode)r.DeepClone()).ToArray());
                await File.WriteAllTextAsync(path, array.ToJsonString(Indented), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                return [WrittenOutput.For(context.OutputDirectory, name, Kind, "application/json")];
            default:
                await WriteCsvAsync(path, reformat, cancellationToken).ConfigureAwait(false);
                return [WrittenOutput.For(context.OutputDirectory, name, Kind, "text/csv")];
        }
    }

    private static async Task WriteCsvAsync(string path, ReformatAnnotation reformat, CancellationToken cancellationToken)
    {
        var columns = reformat.Columns.Count > 0
            ? reformat.Columns
            : reformat.Records.SelectMany(r => r.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        await writer.WriteAsync(string.Join(',', columns.Select(Quote)) + "\r\n").ConfigureAwait(false);
        foreach (var record in reformat.Records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteAsync(string.Join(',', columns.Select(c => Quote(Cell(record[c])))) + "\r\n").ConfigureAwait(false);
        }
    }

    // RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    /// <summary>The CSV text of a value: strings as they are, numbers and booleans invariant, null empty, objects and arrays as JSON.</summary>
    public static string Cell(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(),
    };
}
