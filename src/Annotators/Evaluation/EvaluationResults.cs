namespace Annotate.Annotators.Evaluation;

/// <summary>The JSON form of an evaluation: one run against references, optionally a second run and the differences.</summary>
public sealed record EvaluationReport
{
    /// <summary>Version of this format.</summary>
    public string SchemaVersion { get; init; } = "1";

    /// <summary>When the evaluation was made.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Similarity at and above which a text is strongly similar to its reference (0.5).</summary>
    public double StronglySimilarFrom { get; init; } = Evaluator.StronglySimilar;

    /// <summary>Similarity at and above which a text is somewhat similar to its reference (0.4).</summary>
    public double SomewhatSimilarFrom { get; init; } = Evaluator.SomewhatSimilar;

    /// <summary>The run evaluated (run A when two are compared).</summary>
    public required EvaluationRun Run { get; init; }

    /// <summary>The run compared with it (run B), when there is one.</summary>
    public EvaluationRun? Compared { get; init; }

    /// <summary>Per field, run A beside run B and the difference (B − A); null without a second run.</summary>
    public IReadOnlyList<FieldComparison>? Differences { get; init; }
}

/// <summary>One run's results against the references.</summary>
public sealed record EvaluationRun
{
    /// <summary>What the run is called in the report (the results folder's name, a profile).</summary>
    public required string Label { get; init; }

    /// <summary>Reference files read.</summary>
    public required int References { get; init; }

    /// <summary>Documents with both a reference and a result.</summary>
    public required int Evaluated { get; init; }

    /// <summary>Documents with a reference and no result.</summary>
    public required IReadOnlyList<string> MissingDocuments { get; init; }

    /// <summary>Documents with a result and no reference (not evaluated).</summary>
    public required IReadOnlyList<string> ExtraDocuments { get; init; }

    /// <summary>Older results of a document that has a newer one (only the newest is evaluated).</summary>
    public required int SupersededResults { get; init; }

    /// <summary>Every structured field together.</summary>
    public required FieldSummary Structured { get; init; }

    /// <summary>Every text field together (summaries, titles, answers, text fields).</summary>
    public required FieldSummary Text { get; init; }

    /// <summary>Per field, in the order first met in the references.</summary>
    public required IReadOnlyList<FieldSummary> Fields { get; init; }

    /// <summary>Every text similarity measured (the histogram's data), in document order.</summary>
    public required IReadOnlyList<double> Similarities { get; init; }

    /// <summary>Per document, every value compared.</summary>
    public required IReadOnlyList<DocumentEvaluation> Documents { get; init; }
}

/// <summary>The counts and rates of one field (or of all structured or all text fields).</summary>
public sealed record FieldSummary
{
    /// <summary>The field: <c>documentType</c>, <c>fields.total</c>, <c>keyValues.iban</c>, <c>summary</c>, <c>qa</c>…</summary>
    public required string Field { get; init; }

    /// <summary><c>structured</c> (matched) or <c>text</c> (similarity).</summary>
    public required string Kind { get; init; }

    /// <summary>Reference values of this field in the evaluated documents.</summary>
    public int Compared { get; init; }

    /// <summary>Reference values with no produced value.</summary>
    public int Missing { get; init; }

    /// <summary>Structured: the same text (white space at the ends aside).</summary>
    public int Exact { get; init; }

    /// <summary>Structured: not the same text, the same once normalised.</summary>
    public int Normalised { get; init; }

    /// <summary>Structured: produced and different.</summary>
    public int Wrong { get; init; }

    /// <summary>Structured: (exact + normalised) / compared; missing values count as wrong. Null when nothing was compared.</summary>
    public double? Accuracy { get; init; }

    /// <summary>Structured: exact / compared.</summary>
    public double? ExactAccuracy { get; init; }

    /// <summary>Produced values whose grounding annotations.json records.</summary>
    public int WithGrounding { get; init; }

    /// <summary>Of those, the ones found in the source (grounded, or with a location).</summary>
    public int Grounded { get; init; }

    /// <summary>Grounded / with grounding; null when none records it.</summary>
    public double? GroundedRate { get; init; }

    /// <summary>Text: similarity ≥ 0.5.</summary>
    public int StronglySimilar { get; init; }

    /// <summary>Text: 0.4 ≤ similarity &lt; 0.5.</summary>
    public int SomewhatSimilar { get; init; }

    /// <summary>Text: similarity &lt; 0.4.</summary>
    public int NotSimilar { get; init; }

    /// <summary>Text: median similarity of the produced texts.</summary>
    public double? SimilarityMedian { get; init; }

    /// <summary>Text: mean similarity of the produced texts.</summary>
    public double? SimilarityMean { get; init; }
}

/// <summary>One document's comparisons.</summary>
/// <param name="Document">The reference's document name.</param>
/// <param name="Reference">The reference file.</param>
/// <param name="DocumentId">The result's document id.</param>
/// <param name="FileName">The result's file name.</param>
/// <param name="Values">Every value compared.</param>
public sealed record DocumentEvaluation(string Document, string Reference, string DocumentId, string FileName, IReadOnlyList<ValueEvaluation> Values);

/// <summary>One reference value beside the produced one.</summary>
public sealed record ValueEvaluation
{
    /// <summary>The field.</summary>
    public required string Field { get; init; }

    /// <summary>How it was compared: number, amount, date, name or text.</summary>
    public required string Kind { get; init; }

    /// <summary>The reference value (for a Q&amp;A pair, the answer).</summary>
    public required string Expected { get; init; }

    /// <summary>The produced value; null when missing.</summary>
    public string? Produced { get; init; }

    /// <summary>exact, normalised, wrong, missing; for text strongly-similar, somewhat-similar, not-similar or missing.</summary>
    public required string Outcome { get; init; }

    /// <summary>Text: cosine similarity of the two texts' embeddings.</summary>
    public double? Similarity { get; init; }

    /// <summary>Whether annotations.json records the produced value as found in the source; null when it does not say.</summary>
    public bool? Grounded { get; init; }

    /// <summary>Q&amp;A: the reference question and the produced question it was paired with.</summary>
    public string? Question { get; init; }

    /// <summary>Q&amp;A: the produced question the reference question was paired with (the most similar).</summary>
    public string? ProducedQuestion { get; init; }
}

/// <summary>A field of two runs side by side; differences are B − A.</summary>
public sealed record FieldComparison
{
    /// <summary>The field.</summary>
    public required string Field { get; init; }

    /// <summary>structured or text.</summary>
    public required string Kind { get; init; }

    /// <summary>Run A's accuracy (structured).</summary>
    public double? AccuracyA { get; init; }

    /// <summary>Run B's accuracy (structured).</summary>
    public double? AccuracyB { get; init; }

    /// <summary>B − A.</summary>
    public double? AccuracyDelta { get; init; }

    /// <summary>Run A's median similarity (text).</summary>
    public double? SimilarityMedianA { get; init; }

    /// <summary>Run B's median similarity (text).</summary>
    public double? SimilarityMedianB { get; init; }

    /// <summary>B − A.</summary>
    public double? SimilarityMedianDelta { get; init; }

    /// <summary>Run A's grounded rate.</summary>
    public double? GroundedRateA { get; init; }

    /// <summary>Run B's grounded rate.</summary>
    public double? GroundedRateB { get; init; }
}
