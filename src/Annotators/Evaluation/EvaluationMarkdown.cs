using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Evaluation;

/// <summary>The Markdown form of an <see cref="EvaluationReport"/>: totals, per-field tables, the documents missing on either side and every value that did not match.</summary>
public static class EvaluationMarkdown
{
    /// <summary>Most values listed under "Values that did not match" per run; the JSON form has every one.</summary>
    public const int MaxListedMismatches = 200;

    /// <summary>Writes the report; <paramref name="histogram"/> is the file name of the histogram image beside it, if any.</summary>
    public static string Write(EvaluationReport report, string? histogram = "similarity.png")
    {
        var md = new StringBuilder();
        var a = report.Run;
        var b = report.Compared;
        md.AppendLine(b is null ? $"# Evaluation of {Cell(a.Label)}" : $"# Evaluation: {Cell(a.Label)} (A) vs {Cell(b.Label)} (B)");
        md.AppendLine();
        md.AppendLine(Invariant($"Generated {report.GeneratedAt:yyyy-MM-dd HH:mm:ss} UTC. Text fields are judged by the cosine similarity of their sentence embeddings: ≥ {report.StronglySimilarFrom:0.0#} strongly similar, {report.SomewhatSimilarFrom:0.0#}–{report.StronglySimilarFrom:0.0#} somewhat similar, below {report.SomewhatSimilarFrom:0.0#} not similar. Structured fields match exactly, or once normalised (numbers, dates, amounts, names)."));
        md.AppendLine();
        if (b is not null && report.Differences is { } differences)
        {
            md.AppendLine("## A vs B");
            md.AppendLine();
            md.AppendLine("| field | kind | accuracy A | accuracy B | Δ | median similarity A | median similarity B | Δ | grounded A | grounded B |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in differences)
            {
                md.AppendLine($"| {Cell(row.Field)} | {row.Kind} | {Percent(row.AccuracyA)} | {Percent(row.AccuracyB)} | {Delta(row.AccuracyDelta, percent: true)} | {Number(row.SimilarityMedianA)} | {Number(row.SimilarityMedianB)} | {Delta(row.SimilarityMedianDelta, percent: false)} | {Percent(row.GroundedRateA)} | {Percent(row.GroundedRateB)} |");
            }
            md.AppendLine();
        }
        if (histogram is not null && (a.Similarities.Count > 0 || b?.Similarities.Count > 0))
        {
            md.AppendLine($"![Similarity of text fields to the references]({histogram})");
            md.AppendLine();
        }
        WriteRun(md, a, b is null ? null : "A");
        if (b is not null)
        {
            WriteRun(md, b, "B");
        }
        return md.ToString();
    }

    private static void WriteRun(StringBuilder md, EvaluationRun run, string? letter)
    {
        md.AppendLine(letter is null ? "## Documents" : $"## Run {letter}: {Cell(run.Label)}");
        md.AppendLine();
        md.AppendLine($"- references: {run.References}");
        md.AppendLine($"- evaluated (reference and result): {run.Evaluated}");
        md.AppendLine($"- missing (reference, no result): {run.MissingDocuments.Count}{List(run.MissingDocuments)}");
        md.AppendLine($"- extra (result, no reference; not evaluated): {run.ExtraDocuments.Count}{List(run.ExtraDocuments)}");
        if (run.SupersededResults > 0)
        {
            md.AppendLine($"- older results of a document annotated again (not evaluated): {run.SupersededResults}");
        }
        md.AppendLine();
        Table(md, letter is null ? "## Structured fields" : $"### Structured fields ({letter})",
            ["compared", "exact", "normalised", "wrong", "missing", "accuracy", "exact accuracy", "grounded"],
            run.Fields.Where(f => f.Kind == "structured").Prepend(run.Structured),
            f => [$"{f.Compared}", $"{f.Exact}", $"{f.Normalised}", $"{f.Wrong}", $"{f.Missing}", Percent(f.Accuracy), Percent(f.ExactAccuracy), Grounded(f)]);
        Table(md, letter is null ? "## Text fields" : $"### Text fields ({letter})",
            ["compared", "strongly similar", "somewhat similar", "not similar", "missing", "median", "mean"],
            run.Fields.Where(f => f.Kind == "text").Prepend(run.Text),
            f => [$"{f.Compared}", $"{f.StronglySimilar}", $"{f.SomewhatSimilar}", $"{f.NotSimilar}", $"{f.Missing}", Number(f.SimilarityMedian), Number(f.SimilarityMean)]);
        var mismatches = run.Documents.SelectMany(d => d.Values.Where(v => v.Outcome is "wrong" or "missing" or "not-similar").Select(v => (d.Document, v))).ToList();
        if (mismatches.Count > 0)
        {
            md.AppendLine(letter is null ? "## Values that did not match" : $"### Values that did not match ({letter})");
            md.AppendLine();
            md.AppendLine("| document | field | expected | produced | outcome |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var (document, v) in mismatches.Take(MaxListedMismatches))
            {
                var outcome = v.Similarity is { } s ? Invariant($"{v.Outcome} ({s:0.00})") : v.Outcome;
                md.AppendLine($"| {Cell(document)} | {Cell(v.Field)} | {Cell(Short(v.Expected))} | {Cell(Short(v.Produced ?? "—"))} | {outcome} |");
            }
            if (mismatches.Count > MaxListedMismatches)
            {
                md.AppendLine();
                md.AppendLine($"… and {mismatches.Count - MaxListedMismatches} more (the JSON form lists every value).");
            }
            md.AppendLine();
        }
    }

    // A table of fields: the field's name, then right-aligned numbers.
    private static void Table(StringBuilder md, string heading, string[] columns, IEnumerable<FieldSummary> fields, Func<FieldSummary, string[]> cells)
    {
        md.AppendLine(heading);
        md.AppendLine();
        md.AppendLine($"| field | {string.Join(" | ", columns)} |");
        md.AppendLine($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var f in fields)
        {
            md.AppendLine($"| {Cell(f.Field)} | {string.Join(" | ", cells(f))} |");
        }
        md.AppendLine();
    }

    private static string Grounded(FieldSummary f) =>
        f.GroundedRate is { } rate ? $"{Percent(rate)} ({f.Grounded}/{f.WithGrounding})" : "—";

    private static string List(IReadOnlyList<string> names) =>
        names.Count == 0 ? "" : ": " + string.Join(", ", names.Take(20).Select(n => $"`{Code(n)}`")) + (names.Count > 20 ? $", … ({names.Count - 20} more)" : "");

    private static string Percent(double? rate) => rate is { } r ? Invariant($"{r * 100:0.0} %") : "—";

    private static string Number(double? value) => value is { } v ? Invariant($"{v:0.000}") : "—";

    private static string Delta(double? delta, bool percent) => delta switch
    {
        null => "—",
        { } d when percent => Invariant($"{(d >= 0 ? "+" : "")}{d * 100:0.0} pt"),
        { } d => Invariant($"{(d >= 0 ? "+" : "")}{d:0.000}"),
    };

    private static string Short(string text) => text.Length > 120 ? text[..120] + "…" : text;

    // Text from references and results goes into table cells: no line breaks, pipes escaped, HTML and Markdown links inert.
    private static string Cell(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '|' => "\\|",
                '<' => "&lt;",
                '>' => "&gt;",
                '[' => "\\[",
                ']' => "\\]",
                '`' => "\\`",
                '*' => "\\*",
                '_' => "\\_",
                '\\' => "\\\\",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }

    private static string Code(string text) => new(text.Select(c => c == '`' || char.IsControl(c) ? '?' : c).ToArray());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
