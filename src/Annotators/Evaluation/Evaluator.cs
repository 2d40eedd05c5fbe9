using Annotate.Annotators.Embeddings;

namespace Annotate.Annotators.Evaluation;

/// <summary>
/// Judges produced annotations against references: structured values by exact and normalised match, text by the cosine
/// similarity of sentence embeddings (≥ 0.5 strongly similar, 0.4–0.5 somewhat similar, below 0.4 not similar, the
/// buckets used in the field), with per-field accuracy, grounded rate and the documents missing on either side.
/// </summary>
public sealed class Evaluator(ITextEmbedder embedder, TimeProvider time)
{
    /// <summary>Similarity from which a text is strongly similar to its reference.</summary>
    public const double StronglySimilar = 0.5;

    /// <summary>Similarity from which a text is somewhat similar to its reference (below it: not similar).</summary>
    public const double SomewhatSimilar = 0.4;

    /// <summary>Field name of question–answer pairs.</summary>
    public const string QaField = "qa";

    /// <summary>The report of one run, or of two compared (<paramref name="compared"/> is run B).</summary>
    public EvaluationReport Report(EvaluationRun run, EvaluationRun? compared = null) => new()
    {
        GeneratedAt = time.GetUtcNow(),
        Run = run,
        Compared = compared,
        Differences = compared is null ? null : Compare(run, compared),
    };

    /// <summary>Evaluates one run's documents against the references.</summary>
    public EvaluationRun Evaluate(string label, IReadOnlyList<DocumentReference> references, IReadOnlyList<ProducedDocument> produced, CancellationToken cancellationToken = default)
    {
        // Of several results for one name (a document sent again), the newest is the run's answer.
        var newest = produced.GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(p => p.GeneratedAt ?? DateTimeOffset.MinValue).ThenBy(p => p.DocumentId, StringComparer.Ordinal).First())
            .ToList();
        var byName = newest.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        // A reference may name the document without its extension, when that stem is one document's only.
        var byStem = newest.GroupBy(p => Path.GetFileNameWithoutExtension(p.Name), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

        var matched = new HashSet<ProducedDocument>();
        var missing = new List<string>();
        var pending = new List<(ProducedDocument Result, DocumentReference Reference)>();
        foreach (var reference in references.OrderBy(r => r.Document, StringComparer.Ordinal))
        {
            if (byName.TryGetValue(reference.Document, out var result) || byStem.TryGetValue(reference.Document, out result))
            {
                if (matched.Add(result))
                {
                    pending.Add((result, reference));
                    continue;
                }
            }
            missing.Add(reference.Document);
        }

        var texts = new TextPairs();
        var documents = pending.Select(p => Compare(p.Reference, p.Result, texts)).ToList();
        var similarities = texts.Measure(embedder, cancellationToken);
        var finished = documents.Select(d => d with { Values = d.Values.Select(v => texts.Resolve(v, similarities)).ToList() }).ToList();

        var values = finished.SelectMany(d => d.Values).ToList();
        var fields = values.GroupBy(v => v.Field, StringComparer.Ordinal).Select(g => Summarise(g.Key, g.ToList())).ToList();
        return new EvaluationRun
        {
            Label = label,
            References = references.Count,
            Evaluated = finished.Count,
            MissingDocuments = missing,
            ExtraDocuments = newest.Where(p => !matched.Contains(p)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList(),
            SupersededResults = produced.Count - newest.Count,
            Structured = Summarise("structured (all)", values.Where(v => !IsText(v)).ToList(), "structured"),
            Text = Summarise("text (all)", values.Where(IsText).ToList(), "text"),
            Fields = fields,
            Similarities = values.Where(v => v.Similarity is not null).Select(v => v.Similarity!.Value).ToList(),
            Documents = finished,
        };
    }

    private static DocumentEvaluation Compare(DocumentReference reference, ProducedDocument result, TextPairs texts)
    {
        var values = new List<ValueEvaluation>();
        foreach (var expected in reference.Values)
        {
            var produced = Find(result, expected);
            if (expected.Kind == FieldKind.Text)
            {
                values.Add(texts.Add(expected.Field, expected.Value, produced?.Text, produced?.Grounded));
                continue;
            }
            values.Add(new ValueEvaluation
            {
                Field = expected.Field,
                Kind = Kind(expected.Kind),
                Expected = expected.Value,
                Produced = produced?.Text,
                Grounded = produced?.Grounded,
                Outcome = produced is null || string.IsNullOrWhiteSpace(produced.Text) ? "missing"
                    : string.Equals(expected.Value.Trim(), produced.Text.Trim(), StringComparison.Ordinal) ? "exact"
                    : ValueNormaliser.Matches(expected.Value, produced.Text, expected.Kind) ? "normalised"
                    : "wrong",
            });
        }
        foreach (var answer in reference.QuestionAnswers)
        {
            values.Add(texts.AddQuestion(answer, result.QuestionAnswers));
        }
        return new DocumentEvaluation(reference.Document, reference.Source, result.DocumentId, result.Name, values);
    }

    private static ProducedValue? Find(ProducedDocument result, ExpectedValue expected)
    {
        switch (expected.Section)
        {
            case ReferenceReader.SectionDocumentType:
                return result.DocumentType is { } type ? new ProducedValue(type, null) : null;
            case ReferenceReader.SectionTitle:
                return result.Title is { } title ? new ProducedValue(title, null) : null;
            case ReferenceReader.SectionSummary:
                return result.Summary is { } summary ? new ProducedValue(summary, null) : null;
            case ReferenceReader.SectionFields:
                var pointer = expected.Name.StartsWith('/')
                    ? expected.Name
                    : "/" + expected.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                return result.Fields.GetValueOrDefault(pointer);
            default:
                var label = ValueNormaliser.Name(expected.Name);
                return (result.KeyValues.FirstOrDefault(p => string.Equals(p.Key, expected.Name, StringComparison.OrdinalIgnoreCase))
                    ?? result.KeyValues.FirstOrDefault(p => ValueNormaliser.Name(p.Label) == label))?.Value;
        }
    }

    private static bool IsText(ValueEvaluation value) => value.Kind == "text";

    private static string Kind(FieldKind kind) => kind.ToString().ToLowerInvariant();

    private static FieldSummary Summarise(string field, IReadOnlyList<ValueEvaluation> values, string? kind = null)
    {
        int Count(string outcome) => values.Count(v => v.Outcome == outcome);
        var exact = Count("exact");
        var normalised = Count("normalised");
        var withGrounding = values.Count(v => v.Produced is not null && v.Grounded is not null);
        var grounded = values.Count(v => v.Produced is not null && v.Grounded == true);
        var similarities = values.Where(v => v.Similarity is not null).Select(v => v.Similarity!.Value).Order().ToList();
        var isText = kind is null ? values.Count > 0 && values.All(IsText) : kind == "text";
        return new FieldSummary
        {
            Field = field,
            Kind = isText ? "text" : "structured",
            Compared = values.Count,
            Missing = Count("missing"),
            Exact = exact,
            Normalised = normalised,
            Wrong = Count("wrong"),
            Accuracy = !isText && values.Count > 0 ? Rate(exact + normalised, values.Count) : null,
            ExactAccuracy = !isText && values.Count > 0 ? Rate(exact, values.Count) : null,
            WithGrounding = withGrounding,
            Grounded = grounded,
            GroundedRate = withGrounding > 0 ? Rate(grounded, withGrounding) : null,
            StronglySimilar = Count("strongly-similar"),
            SomewhatSimilar = Count("somewhat-similar"),
            NotSimilar = Count("not-similar"),
            SimilarityMedian = similarities.Count == 0 ? null : Math.Round(Median(similarities), 4),
            SimilarityMean = similarities.Count == 0 ? null : Math.Round(similarities.Average(), 4),
        };
    }

    private static IReadOnlyList<FieldComparison> Compare(EvaluationRun a, EvaluationRun b)
    {
        var names = a.Fields.Select(f => f.Field).Concat(b.Fields.Select(f => f.Field)).Distinct(StringComparer.Ordinal);
        var rows = new List<FieldComparison>();
        // The two totals first: structured, then text; then every field.
        var pairs = new (string Name, FieldSummary? Left, FieldSummary? Right)[] { (a.Structured.Field, a.Structured, b.Structured), (a.Text.Field, a.Text, b.Text) }
            .Concat(names.Select(n => (n, a.Fields.FirstOrDefault(f => f.Field == n), b.Fields.FirstOrDefault(f => f.Field == n))));
        foreach (var (name, left, right) in pairs)
        {
            rows.Add(new FieldComparison
            {
                Field = name,
                Kind = (left ?? right)!.Kind,
                AccuracyA = left?.Accuracy,
                AccuracyB = right?.Accuracy,
                AccuracyDelta = left?.Accuracy is { } x && right?.Accuracy is { } y ? Math.Round(y - x, 4) : null,
                SimilarityMedianA = left?.SimilarityMedian,
                SimilarityMedianB = right?.SimilarityMedian,
                SimilarityMedianDelta = left?.SimilarityMedian is { } m && right?.SimilarityMedian is { } n ? Math.Round(n - m, 4) : null,
                GroundedRateA = left?.GroundedRate,
                GroundedRateB = right?.GroundedRate,
            });
        }
        return rows;
    }

    /// <summary>The bucket of a similarity: strongly-similar, somewhat-similar or not-similar.</summary>
    public static string Bucket(double similarity) =>
        similarity >= StronglySimilar ? "strongly-similar" : similarity >= SomewhatSimilar ? "somewhat-similar" : "not-similar";

    private static double Rate(int part, int whole) => Math.Round((double)part / whole, 4);

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>Texts to compare, gathered over every document so they are encoded in one batch.</summary>
    private sealed class TextPairs
    {
        private readonly List<string> _texts = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<ValueEvaluation, (int Expected, int Produced)> _pairs = new(ReferenceEqualityComparer.Instance);

        public ValueEvaluation Add(string field, string expected, string? produced, bool? grounded)
        {
            var value = new ValueEvaluation { Field = field, Kind = "text", Expected = expected, Produced = produced, Grounded = grounded, Outcome = "missing" };
            if (!string.IsNullOrWhiteSpace(produced) && !string.IsNullOrWhiteSpace(expected))
            {
                _pairs[value] = (Of(expected), Of(produced));
            }
            return value;
        }

        // The reference question is paired with the produced question most like it, and the answers compared.
        public ValueEvaluation AddQuestion(ExpectedAnswer expected, IReadOnlyList<ExpectedAnswer> produced)
        {
            var value = new ValueEvaluation { Field = QaField, Kind = "text", Expected = expected.Answer, Question = expected.Question, Outcome = "missing" };
            if (produced.Count > 0)
            {
                Of(expected.Question);
                Of(expected.Answer);
                foreach (var pair in produced)
                {
                    Of(pair.Question);
                    Of(pair.Answer);
                }
                _questions[value] = produced;
            }
            return value;
        }

        private readonly Dictionary<ValueEvaluation, IReadOnlyList<ExpectedAnswer>> _questions = new(ReferenceEqualityComparer.Instance);

        private int Of(string text)
        {
            if (!_index.TryGetValue(text, out var at))
            {
                at = _texts.Count;
                _texts.Add(text);
                _index[text] = at;
            }
            return at;
        }

        public IReadOnlyList<float[]> Measure(ITextEmbedder embedder, CancellationToken cancellationToken) =>
            _texts.Count == 0 ? [] : embedder.Embed(_texts, cancellationToken);

        public ValueEvaluation Resolve(ValueEvaluation value, IReadOnlyList<float[]> vectors)
        {
            if (_pairs.TryGetValue(value, out var pair))
            {
                return Scored(value, Similarity(vectors[pair.Expected], vectors[pair.Produced]));
            }
            if (_questions.TryGetValue(value, out var produced))
            {
                var question = vectors[_index[value.Question!]];
                var best = produced.MaxBy(p => Similarity(question, vectors[_index[p.Question]]))!;
                return Scored(value with { Produced = best.Answer, ProducedQuestion = best.Question }, Similarity(vectors[_index[value.Expected]], vectors[_index[best.Answer]]));
            }
            return value;
        }

        private static ValueEvaluation Scored(ValueEvaluation value, double similarity) =>
            value with { Similarity = similarity, Outcome = Bucket(similarity) };

        // Rounded so a report reads the same on every machine (the encoder's last digits vary with the CPU's instructions).
        private static double Similarity(float[] a, float[] b) => Math.Round(Math.Clamp(Vectors.Cosine(a, b), -1f, 1f), 4);
    }
}
