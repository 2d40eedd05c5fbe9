using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Semantic.Columns;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// Tells what each table column holds (a person's name, a price, an e-mail address…) from its header and a sample of its
/// first rows: the header by the words that name a type (English, German, French) or else by the embedding similarity
/// of the header to each type's description; the values by their shape. Each type is reported with its score and the
/// evidence that found it, and written beside the column's profile.
/// </summary>
public sealed class ColumnTypeAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "column-types";

    /// <summary>Weight of the header's evidence in a column's score; the values' weigh the rest.</summary>
    public const double HeaderWeight = 0.4;

    // Cosine similarities of a header to a description run from ~0.3 (unrelated) to ~0.7 (the same idea); mapped to 0–1.
    private const double UnrelatedSimilarity = 0.3;
    private const double SameIdeaSimilarity = 0.7;
    private const double Evidence = 0.3;

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 140;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var columns = new List<SampledColumn>();
        var blocks = context.Document.Blocks;
        var truncated = false;
        for (var b = 0; b < blocks.Count && !truncated; b++)
        {
            if (blocks[b] is not TableBlock table)
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            var sampled = Sample(table, b, _options.ColumnTypeSampleRows);
            var room = _options.MaxTypedColumns - columns.Count;
            truncated = sampled.Count > room;
            columns.AddRange(sampled.Take(room));
        }
        if (columns.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped("the document has no tables"));
        }
        if (truncated)
        {
            context.Annotations.Notices.Add(new Notice("column-types-truncated",
                $"The document has more than {_options.MaxTypedColumns:N0} table columns; the first {_options.MaxTypedColumns:N0} were typed (Annotate:Semantic:MaxTypedColumns).")
            { Source = AnnotatorName });
        }

        var meanings = HeaderMeanings(columns, cancellationToken);
        foreach (var column in columns)
        {
            context.Annotations.ColumnTypes.Add(Type(column, meanings.GetValueOrDefault(column.Header.Trim())));
        }
        AddToProfiles(context.Annotations);
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    private sealed record SampledColumn(TableBlock Table, int Block, int Index, string Header, bool HasHeader, List<CellValue> Values, long FirstRow, long LastRow);

    private static List<SampledColumn> Sample(TableBlock table, int block, int rows)
    {
        var values = table.Columns.Select(_ => new List<CellValue>()).ToArray();
        long first = 0, last = 0;
        // Only the first rows, through the table's own row API: a streamed table is read no further than the sample.
        foreach (var row in table.Rows is StreamedRows streamed ? streamed.Preview(rows) : table.Rows.Take(rows))
        {
            first = first == 0 ? row.Number : first;
            last = row.Number;
            for (var i = 0; i < values.Length && i < row.Cells.Count; i++)
            {
                if (!row.Cells[i].IsEmpty)
                {
                    values[i].Add(row.Cells[i]);
                }
            }
        }
        return values.Select((v, i) => new SampledColumn(table, block, i, table.Columns[i], table.HasHeaderRow && !string.IsNullOrWhiteSpace(table.Columns[i]), v, first, last)).ToList();
    }

    /// <summary>For headers that name no type: the similarity of each to every type's descriptions, in one call to the encoder.</summary>
    private Dictionary<string, Dictionary<string, double>> HeaderMeanings(List<SampledColumn> columns, CancellationToken cancellationToken)
    {
        var headers = columns.Where(c => c.HasHeader && ColumnTypeVocabulary.TypesNamedBy(c.Header).Count == 0)
            .Select(c => c.Header.Trim()).Where(h => h.Any(char.IsLetter)).Distinct(StringComparer.Ordinal).ToList();
        var meanings = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        if (headers.Count == 0)
        {
            return meanings;
        }
        var descriptions = ColumnTypeVocabulary.Types.SelectMany(t => ColumnTypeVocabulary.Descriptions[t].Select(d => (Type: t, Text: d))).ToList();
        // Descriptions are cached by the encoder after the first document: only the headers are new work.
        var vectors = embedder.Embed([.. headers, .. descriptions.Select(d => d.Text)], cancellationToken);
        for (var h = 0; h < headers.Count; h++)
        {
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var d = 0; d < descriptions.Count; d++)
            {
                var similarity = Vectors.Cosine(vectors[h], vectors[headers.Count + d]);
                var score = Math.Clamp((similarity - UnrelatedSimilarity) / (SameIdeaSimilarity - UnrelatedSimilarity), 0, 1);
                scores[descriptions[d].Type] = Math.Max(scores.GetValueOrDefault(descriptions[d].Type), score);
            }
            meanings[headers[h]] = scores;
        }
        return meanings;
    }

    private ColumnTypeAnnotation Type(SampledColumn column, Dictionary<string, double>? meaning)
    {
        var named = column.HasHeader ? new Dictionary<string, double>(ColumnTypeVocabulary.TypesNamedBy(column.Header)) : [];
        if (column.HasHeader && column.Header.Contains('%', StringComparison.Ordinal))
        {
            named[ColumnTypeVocabulary.Percentage] = 1.0;
        }
        var fit = ColumnValues.Fit(column.Values);
        var candidates = new List<(string Type, double Score, double Header, double Values)>();
        foreach (var candidate in ColumnTypeVocabulary.Types.Append(ColumnTypeVocabulary.Other))
        {
            var header = named.Count > 0 ? named.GetValueOrDefault(candidate) : meaning?.GetValueOrDefault(candidate) ?? 0;
            var values = Math.Clamp(fit.GetValueOrDefault(candidate), 0, 1);
            candidates.Add((candidate, HeaderWeight * header + (1 - HeaderWeight) * values, header, values));
        }
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var best = candidates[0];
        var type = best.Score >= _options.ColumnTypeThreshold ? best.Type : ColumnTypeVocabulary.Other;
        var chosen = type == best.Type ? best : candidates.First(c => c.Type == type);
        var method = chosen.Header >= Evidence && chosen.Values >= Evidence ? "header+values" : chosen.Header >= Evidence ? "header" : "values";
        var table = column.Table;
        return new ColumnTypeAnnotation
        {
            Sheet = table.Location.Sheet,
            Table = table.Name,
            Block = column.Block,
            Index = column.Index,
            Header = column.Header,
            Type = type,
            Score = Math.Round(chosen.Score, 4),
            Method = method,
            HeaderMatch = chosen.Header <= 0 ? null : named.Count > 0 ? "name" : "meaning",
            HeaderScore = Math.Round(chosen.Header, 4),
            ValueScore = Math.Round(chosen.Values, 4),
            Sampled = column.Values.Count,
            Alternatives = candidates.Where(c => c.Type != type).Take(3).Select(c => new LabelScore(c.Type, Math.Round(c.Score, 4))).ToList(),
            Location = column.FirstRow == 0 ? null
                : table.Location with { Block = column.Block, Cell = table.CellReference(column.Index, column.FirstRow) + ":" + table.CellReference(column.Index, column.LastRow) },
            Annotator = AnnotatorName,
        };
    }

    /// <summary>Writes each type into its column's profile, when <c>columns</c> ran: the profiles follow the tables' order, as the types do.</summary>
    private static void AddToProfiles(AnnotationSet annotations)
    {
        var types = annotations.ColumnTypes
            .GroupBy(t => (t.Sheet, t.Table, t.Index, t.Header))
            .ToDictionary(g => g.Key, g => new Queue<ColumnTypeAnnotation>(g));
        for (var i = 0; i < annotations.Columns.Count; i++)
        {
            var profile = annotations.Columns[i];
            if (profile.SemanticType is null && types.TryGetValue((profile.Sheet, profile.Table, profile.Index, profile.Header), out var queue) && queue.Count > 0)
            {
                annotations.Columns[i] = profile with { SemanticType = queue.Dequeue().Type };
            }
        }
    }
}
