using System.Text.Json.Nodes;

namespace Annotate.Gateway.Review;

/// <summary>
/// A person's review of a document's annotations, written as <c>annotations.reviewed.json</c> beside the model's
/// <c>annotations.json</c>, which is never changed: every reviewed value stands with the original beside it.
/// </summary>
/// <param name="DocumentId">The document.</param>
/// <param name="FileName">Its name.</param>
/// <param name="Profile">The profile it was annotated with.</param>
/// <param name="ReviewedBy">Who reviewed it.</param>
/// <param name="ReviewedAt">When.</param>
/// <param name="Fields">Every extracted field, reviewed.</param>
/// <param name="Metadata">The metadata the model found (title, document type, summary, keywords), reviewed.</param>
/// <param name="Values">The extracted values as a whole, with the corrections applied (the shape of the profile's schema).</param>
/// <param name="Rows">The spreadsheet row fields the reviewer set (labels, values, notes); every other row keeps the model's values.</param>
public sealed record ReviewedAnnotations(
    string DocumentId,
    string FileName,
    string? Profile,
    string ReviewedBy,
    DateTimeOffset ReviewedAt,
    IReadOnlyList<ReviewedValue> Fields,
    IReadOnlyList<ReviewedValue> Metadata,
    JsonObject? Values,
    IReadOnlyList<ReviewedRowValue>? Rows = null);

/// <summary>One reviewed value.</summary>
/// <param name="Name">The field's path in the schema (<c>invoiceNumber</c>, <c>lines[0].amount</c>) or the metadata key.</param>
/// <param name="Value">The value after review.</param>
/// <param name="Original">The model's value.</param>
/// <param name="Changed">True when the reviewer corrected it; false when they accepted it.</param>
public sealed record ReviewedValue(string Name, JsonNode? Value, JsonNode? Original, bool Changed);

/// <summary>One reviewed row field of a spreadsheet table.</summary>
/// <param name="Block">0-based index of the table among the document's blocks (<c>rows.tables[].block</c> in annotations.json).</param>
/// <param name="Sheet">Its sheet (null for a CSV).</param>
/// <param name="Table">Its table name.</param>
/// <param name="Row">The row's number (sheet row, or CSV line).</param>
/// <param name="Field">The row field (<c>Category</c>).</param>
/// <param name="Value">The value after review.</param>
/// <param name="Original">The model's value.</param>
/// <param name="Changed">True when the reviewer corrected it.</param>
public sealed record ReviewedRowValue(int Block, string? Sheet, string? Table, long Row, string Field, string? Value, string? Original, bool Changed);

/// <summary>A reviewer's value for one row field.</summary>
/// <param name="Block">The table (<c>rows.tables[].block</c> in annotations.json).</param>
/// <param name="Row">The row's number (<c>rows.tables[].rows[].row</c>).</param>
/// <param name="Field">The row field.</param>
/// <param name="Value">The value; for a label field one of the profile's labels.</param>
public sealed record RowCorrection(int Block, long Row, string? Field, string? Value);

/// <summary>What a reviewer sends: who they are, and the values they correct (everything else is accepted as it is).</summary>
/// <param name="Reviewer">Their name (1–100 characters).</param>
/// <param name="Fields">Corrected extracted fields by path.</param>
/// <param name="Metadata">Corrected metadata by key: <c>title</c>, <c>documentType</c>, <c>summary</c>, <c>keywords</c>.</param>
/// <param name="Rows">Corrected row fields of spreadsheet tables.</param>
public sealed record ReviewRequest(string? Reviewer, Dictionary<string, JsonNode?>? Fields, Dictionary<string, JsonNode?>? Metadata, List<RowCorrection>? Rows = null);
