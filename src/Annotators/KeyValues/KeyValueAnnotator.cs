using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.KeyValues;

/// <summary>
/// Finds label/value pairs in the layout and the text (<c>Invoice number: 100482</c>, a label cell and the cell beside
/// or below it, a label above its value on a PDF page), normalises their labels to the keys of
/// <see cref="KeyVocabulary"/>, tells the issuer, and, when no model filled the profile's extraction schema, fills it
/// from the pairs. Needs no language model.
/// </summary>
public sealed class KeyValueAnnotator : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "key-values";

    /// <summary>Version of the way pairs fill a schema, recorded as the extraction's prompt version.</summary>
    public const string FillVersion = "key-values-1";

    private readonly KeyNormaliser _normaliser;
    private readonly EntityRecognizer _recognizer;
    private readonly KeyValueOptions _options;

    /// <summary>Creates the annotator.</summary>
    public KeyValueAnnotator(KeyNormaliser normaliser, IOptions<PatternOptions> patterns, IOptions<KeyValueOptions> options)
    {
        _normaliser = normaliser;
        _recognizer = new EntityRecognizer(patterns);
        _options = options.Value;
    }

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <summary>After the model's extraction (510): the schema is filled from pairs only when the model did not fill it.</summary>
    public int Order => 515;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var document = context.Document;
        var max = _options.MaxPairs;
        // One more than reported, to tell a document with exactly the maximum from one with more.
        var found = new List<FoundPair>();
        var pagesFromWords = PagePairs.Find(document, found, max + 1, cancellationToken);
        TextPairs.Find(document, pagesFromWords, found, max + 1, cancellationToken);
        TablePairs.Find(document, found, max + 1, cancellationToken);
        if (found.Count > max)
        {
            found.RemoveRange(max, found.Count - max);
            context.Annotations.Notices.Add(new Notice("key-values-truncated",
                $"More than {max:N0} label/value pairs were found; only the first {max:N0} are reported (Annotate:KeyValues:MaxPairs).") { Source = AnnotatorName });
        }
        var keys = _normaliser.Normalise(found.Select(p => p.Label).ToList(), cancellationToken);
        var pairs = found.Select((p, i) => Item(p, keys[i])).ToList();
        var issuer = IssuerFinder.Find(document, pairs, _recognizer, cancellationToken);
        context.Annotations.KeyValues = new KeyValueAnnotation { Pairs = pairs, Issuer = issuer, Annotator = AnnotatorName };

        if (!string.IsNullOrWhiteSpace(context.Profile.ExtractionSchema) && context.Annotations.Extraction is null)
        {
            FillSchema(context, pairs, issuer, cancellationToken);
        }
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    private static KeyValueItem Item(FoundPair pair, KeyMatch? match)
    {
        // A label keeps its key only with a value of the key's shape: "Order: --flatten, --sort-by" is no order number. By
        // similarity, the closest key of the value's shape: "Client details: Contoso Ltd" is the bill-to.
        var key = match?.Candidates().FirstOrDefault(m => KeyVocabulary.Fits(m.Key, pair.Value));
        return new KeyValueItem
        {
            Label = pair.Label,
            Value = pair.Value,
            Key = key?.Key,
            KeyMatch = key?.Method,
            KeyScore = key is null ? null : Math.Round(key.Score, 3),
            Layout = pair.Layout,
            Location = pair.ValueLocation,
            LabelLocation = pair.LabelLocation,
        };
    }

    private void FillSchema(AnnotationContext context, IReadOnlyList<KeyValueItem> pairs, IssuerAnnotation? issuer, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        var schema = ProfileCatalog.LoadSchema(profile.ExtractionSchema!);
        var (values, fields) = SchemaFiller.Fill(schema, pairs, issuer, context.Annotations.Entities, _normaliser, _recognizer, cancellationToken);
        context.Annotations.Extraction = new ExtractionAnnotation
        {
            Values = values,
            Fields = fields,
            Chunks = 0,
            Provenance = new ModelProvenance("none", "", profile.Name, profile.Fingerprint(), FillVersion),
            Annotator = AnnotatorName,
        };
    }
}
