using System.Text.Json.Nodes;

namespace Annotate.Gateway.Review;

/// <summary>
/// The <c>rows</c> section of a document's <c>annotations.json</c>, read for review: the row fields, each annotated
/// table with its rows' model values, and where the writers put them (the sheet and column of <c>annotated.xlsx</c>,
/// the CSV output and record), so corrections can be checked and written into reviewed copies of those outputs.
/// </summary>
public sealed class RowAnnotationsIndex
{
    private RowAnnotationsIndex(IReadOnlyList<string> fields, IReadOnlyDictionary<int, AnnotatedTable> tables)
    {
        Fields = fields;
        Tables = tables;
    }

    /// <summary>The row fields, in column order.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>0-based position of <paramref name="field"/> among <see cref="Fields"/>, or -1.</summary>
    public int FieldIndex(string field)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i], field, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The annotated tables by block index.</summary>
    public IReadOnlyDictionary<int, AnnotatedTable> Tables { get; }

    /// <summary>The row annotations of <paramref name="annotations"/>, or null when it has none.</summary>
    public static RowAnnotationsIndex? Of(JsonNode? annotations)
    {
        if (annotations?["rows"] is not JsonObject rows || rows["fields"] is not JsonArray fieldArray)
        {
            return null;
        }
        var fields = fieldArray.Select(f => f?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)f : null).OfType<string>().ToList();
        var tables = new Dictionary<int, AnnotatedTable>();
        foreach (var table in (rows["tables"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Integer(table["block"]) is not { } block || block is < 0 or > int.MaxValue)
            {
                continue;
            }
            var values = new Dictionary<long, AnnotatedRow>();
            foreach (var row in (table["rows"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Integer(row["row"]) is { } number)
                {
                    var byField = fields.ToDictionary(f => f, f => Text(row["values"]?[f]), StringComparer.Ordinal);
                    values[number] = new AnnotatedRow(byField, Integer(row["csvRecord"]));
                }
            }
            var column = Integer(table["workbookColumn"]);
            tables[(int)block] = new AnnotatedTable(Text(table["sheet"]), Text(table["table"]), Text(table["workbookSheet"]),
                column is > 0 and <= 16_384 ? (int)column : null, Text(table["csv"]), values);
        }
        return new RowAnnotationsIndex(fields, tables);
    }

    private static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>One annotated table: its place in the source and in the outputs, and its rows' model values.</summary>
/// <param name="Sheet">Its sheet in the source.</param>
/// <param name="Table">Its name.</param>
/// <param name="WorkbookSheet">Sheet of <c>annotated.xlsx</c> holding its row fields, when written.</param>
/// <param name="WorkbookColumn">1-based column of the first row field there.</param>
/// <param name="Csv">Name of its CSV output, when written.</param>
/// <param name="Rows">Its annotated rows by row number.</param>
public sealed record AnnotatedTable(string? Sheet, string? Table, string? WorkbookSheet, int? WorkbookColumn, string? Csv, IReadOnlyDictionary<long, AnnotatedRow> Rows);

/// <summary>One annotated row: the model's value of each field, and its record in the CSV output.</summary>
/// <param name="Values">By field name.</param>
/// <param name="CsvRecord">0-based data record in the table's CSV output, when written.</param>
public sealed record AnnotatedRow(IReadOnlyDictionary<string, string?> Values, long? CsvRecord);
