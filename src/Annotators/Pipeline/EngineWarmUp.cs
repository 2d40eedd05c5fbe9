using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.Logging;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// Gets a fresh process ready for its first document: reads tiny generated documents of the common formats and writes
/// their outputs into a temporary folder (so the readers and writers are compiled before a document waits for them),
/// and, when asked, loads the sentence encoder the configured profiles use and runs the local annotators each profile
/// uses on one of those documents (the taxonomy's vectors land in the encoder's cache). Nothing it does is recorded
/// anywhere: no annotator with a side effect (duplicates, which remembers documents) or a language model runs.
/// </summary>
public sealed class EngineWarmUp(
    IEnumerable<IDocumentReader> readers,
    IEnumerable<IOutputWriter> writers,
    IEnumerable<IAnnotator> annotators,
    ProfileCatalog profiles,
    ITextEmbedder embedder,
    ILogger<EngineWarmUp> logger)
{
    /// <summary>Annotators that encode text with the sentence encoder.</summary>
    private static readonly HashSet<string> EncoderAnnotators = new(StringComparer.OrdinalIgnoreCase)
    {
        DocumentTypeAnnotator.AnnotatorName, ExtractiveSummaryAnnotator.AnnotatorName, DuplicateAnnotator.AnnotatorName,
        KeywordAnnotator.AnnotatorName, ColumnTypeAnnotator.AnnotatorName, ChunkEmbeddingAnnotator.AnnotatorName,
        KeyValueAnnotator.AnnotatorName,
    };

    /// <summary>Annotators a warm-up runs: local, without side effects, cheap on a tiny document.</summary>
    private static readonly string[] LocalAnnotators =
    [
        StatisticsAnnotator.AnnotatorName, LanguageAnnotator.AnnotatorName, PatternEntityAnnotator.AnnotatorName,
        DocumentTypeAnnotator.AnnotatorName, ExtractiveSummaryAnnotator.AnnotatorName, KeywordAnnotator.AnnotatorName,
    ];

    private Document? _sample;

    private const string Text = "Warm-up\n\nThe board approved the budget of EUR 1,250.00 on 15 March 2024.\n";

    /// <summary>
    /// True when a profile runs an annotator that encodes text: one that names one, or one that names none (and so runs
    /// every annotator).
    /// </summary>
    public bool ProfilesUseEncoder => profiles.Names.Select(profiles.Get).Any(p => p.Annotators.Count == 0 || p.Annotators.Any(EncoderAnnotators.Contains));

    /// <summary>
    /// Reads a tiny document of each common format and writes its outputs; failures are logged, not thrown. Before each
    /// format it awaits <paramref name="betweenSteps"/> when given (a host that pauses the warm-up while it has work).
    /// </summary>
    public async Task WarmReadersAndWritersAsync(CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenSteps = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "annotate-warm-up-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var byFormat = readers.ToDictionary(r => r.Format);
            foreach (var (format, name, bytes) in Samples())
            {
                if (!byFormat.TryGetValue(format, out var reader))
                {
                    continue;
                }
                if (betweenSteps is not null)
                {
                    await betweenSteps(cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    var path = Path.Combine(folder, name);
                    await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
                    var source = new DocumentSource(path, name);
                    var document = await reader.ReadAsync(source, cancellationToken).ConfigureAwait(false);
                    _sample = document;
                    var output = Directory.CreateDirectory(Path.Combine(folder, "out-" + format)).FullName;
                    var context = new OutputContext("warm-up", document with { FileName = name }, new AnnotationSet(), source, output);
                    foreach (var writer in writers.Where(w => w.AppliesTo(context.Document)))
                    {
                        await writer.WriteAsync(context, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    logger.LogDebug(ex, "Warming up the {Format} reader and writers failed", format);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Runs, for each profile, the local annotators it uses on the last document <see cref="WarmReadersAndWritersAsync"/>
    /// read; those that encode text only when <paramref name="withEncoder"/> (they would load the encoder otherwise).
    /// Failures are logged, not thrown. Before each annotator it awaits <paramref name="betweenSteps"/> when given.
    /// </summary>
    public async Task WarmAnnotatorsAsync(bool withEncoder, CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenSteps = null)
    {
        if (_sample is not { } sample)
        {
            return;
        }
        var local = annotators.Where(a => LocalAnnotators.Contains(a.Name, StringComparer.OrdinalIgnoreCase)
                && (withEncoder || !EncoderAnnotators.Contains(a.Name)))
            .OrderBy(a => a.Order).ToList();
        foreach (var profile in profiles.Names.Select(profiles.Get))
        {
            var context = new AnnotationContext("warm-up", sample, profile);
            foreach (var annotator in local.Where(a => profile.Annotators.Count == 0 || profile.Annotators.Contains(a.Name, StringComparer.OrdinalIgnoreCase)))
            {
                if (betweenSteps is not null)
                {
                    await betweenSteps(cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    await annotator.AnnotateAsync(context, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    logger.LogDebug(ex, "Warming up the {Annotator} annotator failed", annotator.Name);
                }
            }
        }
    }

    /// <summary>Loads the sentence encoder and encodes one sentence.</summary>
    public void WarmEncoder(CancellationToken cancellationToken) => embedder.Embed(["The board approved the budget."], cancellationToken);

    private static IEnumerable<(SourceFormat Format, string Name, byte[] Bytes)> Samples()
    {
        yield return (SourceFormat.Text, "warm-up.txt", Encoding.UTF8.GetBytes(Text));
        yield return (SourceFormat.Markdown, "warm-up.md", Encoding.UTF8.GetBytes("# Warm-up\n\n" + Text + "\n| a | b |\n|---|---|\n| 1 | 2 |\n"));
        yield return (SourceFormat.Csv, "warm-up.csv", Encoding.UTF8.GetBytes("Date,Amount,Note\n2024-03-15,1250.00,budget\n2024-03-16,80.50,travel\n"));
        yield return (SourceFormat.Html, "warm-up.html", Encoding.UTF8.GetBytes("<html><head><title>Warm-up</title></head><body><h1>Warm-up</h1><p>" + Text + "</p></body></html>"));
        yield return (SourceFormat.Pdf, "warm-up.pdf", Pdf());
    }

    private static byte[] Pdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(595, 842);
        page.AddText("Warm-up", 18, new PdfPoint(72, 760), font);
        page.AddText("The board approved the budget of EUR 1,250.00 on 15 March 2024.", 11, new PdfPoint(72, 730), font);
        return builder.Build();
    }
}
