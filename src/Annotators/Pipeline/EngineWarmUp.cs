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

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// Gets a fresh process ready for its first document: reads tiny generated documents of the common formats and writes
/// their outputs into a temporary folder (so the readers and writers are compiled before a document waits for them),
/// and, when asked, loads the sentence encoder the configured profiles use and runs the local annotators each profile
/// uses on one of those documents (the taxonomy's vectors land in the encoder's cache, the key vocabulary's in the key
/// normaliser). Nothing it does is recorded
/// anywhere: no annotator with a side effect (duplicates, which remembers documents) or a language model runs.
/// </summary>
public sealed class EngineWarmUp(
    IEnumerable<IDocumentReader> readers,
    IEnumerable<IOutputWriter> writers,
    IEnumerable<IAnnotator> annotators,
    ProfileCatalog profiles,
    ITextEmbedder embedder,
    KeyNormaliser keys,
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
        KeyValueAnnotator.AnnotatorName,
    ];

    private Document? _sample;

    private const string Text = "Warm-up\n\nThe board approved the budget of EUR 1,250.00 on 15 March 2024.\n";

    /// <summary>
    /// True when a profile runs an annotator that encodes text: one that names one, or one that names none (and so runs
    /// every annotator).
    /// </summary>
    public bool ProfilesUseEncoder => EncoderAnnotators.Any(AnyProfileRuns);

    /// <summary>True when some profile runs the annotator named.</summary>
    private bool AnyProfileRuns(string annotator) => profiles.Names.Select(profiles.Get).Any(p => p.Runs(annotator));

    /// <summary>
    /// Reads a tiny document of each common format and writes its outputs; failures are logged, not thrown. Before each
    /// format it awaits <paramref name="betweenSteps"/> when given (a host that pauses the warm-up while it has work).
    /// </summary>
    public async Task WarmReadersAndWritersAsync(CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenSteps = null)
    {
        var folder = CreateFolder();
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
            DeleteFolder(folder);
        }
    }

    /// <summary>
    /// Runs, for each profile, the local annotators it uses on the last document <see cref="WarmReadersAndWritersAsync"/>
    /// read; those that encode text only when <paramref name="withEncoder"/> (they would load the encoder otherwise). With
    /// the encoder it also encodes the key vocabulary (<see cref="KeyNormaliser.Prepare"/>) when a profile finds key-value
    /// pairs. Failures are logged, not thrown. Before each annotator it awaits <paramref name="betweenSteps"/> when given.
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
            foreach (var annotator in local.Where(a => profile.Runs(a.Name)))
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
        // The key vocabulary is encoded by the first label that is not a key's name, which the sample may not have.
        if (withEncoder && AnyProfileRuns(KeyValueAnnotator.AnnotatorName))
        {
            if (betweenSteps is not null)
            {
                await betweenSteps(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                keys.Prepare();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                logger.LogDebug(ex, "Warming up the key vocabulary failed");
            }
        }
    }

    /// <summary>
    /// Reads a generated workbook of <paramref name="rows"/> rows (<see cref="SampleWorkbook"/>), runs the annotators
    /// that scan every row on it (statistics, language, patterns, column profiles) and the writers that run beside
    /// each other (annotated.xlsx, the CSV, the original, annotations.json), one after another, in a temporary folder that is deleted after. At
    /// <see cref="LargeWorkbookRows"/> the read runs the code of a large workbook (read ahead, parsed ahead on a thread of
    /// its own, spilled, scanned ahead), which otherwise first runs, unoptimised, in the first large workbook a user
    /// sends. When <paramref name="withEncoder"/> it runs the column types too, so the vectors of their descriptions
    /// are in the encoder's cache. Returns the document read (null when no reader of workbooks is registered, or a step
    /// failed: logged, not thrown). Before each step it awaits <paramref name="betweenSteps"/> when given.
    /// </summary>
    public Task<Document?> WarmLargeWorkbookAsync(int rows, bool withEncoder, CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenSteps = null) =>
        rows <= 0 ? Task.FromResult<Document?>(null)
        : WarmLargeDocumentAsync(SourceFormat.Xlsx, "warm-up-ledger.xlsx", path => SampleWorkbook.Write(path, rows),
            // With the encoder, the column types too: their descriptions' vectors land in the encoder's cache (the first
            // table a user sends encoded them, about 0.17 s).
            withEncoder ? ColumnTypeAnnotator.AnnotatorName : null, betweenSteps, cancellationToken);

    /// <summary>
    /// Reads a generated report of <paramref name="pages"/> pages (<see cref="SamplePdf"/>), runs the annotators that run
    /// beside each other (statistics, language, patterns) and the writers that do on it, one after another, in a
    /// temporary folder that is deleted after: the PDF reader's per-page code (content streams, letters, words, the
    /// layout, pages read in parallel) is then compiled optimised, which otherwise runs unoptimised through the first long
    /// PDF a user sends. When <paramref name="withEncoder"/> and a profile summarises, the summary too: its per-sentence code over thousands of
    /// sentences (their split, their words' centrality), which a tiny document does not get optimised, made the first
    /// long document's summary ~60 ms slower than the next ones' (docs/BENCHMARKS.md). Returns the document read (null
    /// when no PDF reader is registered, none is asked for, or a step failed: logged, not thrown). Before each step it
    /// awaits <paramref name="betweenSteps"/> when given.
    /// </summary>
    public Task<Document?> WarmLongPdfAsync(int pages, bool withEncoder, CancellationToken cancellationToken, Func<CancellationToken, Task>? betweenSteps = null) =>
        pages <= 0 ? Task.FromResult<Document?>(null)
        : WarmLargeDocumentAsync(SourceFormat.Pdf, "warm-up-report.pdf", path => SamplePdf.Write(path, pages),
            withEncoder && AnyProfileRuns(ExtractiveSummaryAnnotator.AnnotatorName) ? ExtractiveSummaryAnnotator.AnnotatorName : null,
            betweenSteps, cancellationToken);

    /// <summary>
    /// Compiles ahead the methods of the PDF library (PdfPig's assemblies, <see cref="CodePreparation"/>) that no warm-up
    /// document ran: the parsers of embedded TrueType, CFF and Type 1 font programs, encodings, CMaps, which a generated
    /// report with standard fonts does not reach and a user's first PDF otherwise waits for the JIT to compile. Returns how
    /// many methods it compiled; 0 when no PDF reader is registered or the library's assemblies cannot be loaded (logged,
    /// not thrown: the methods are then compiled at their first call, as without this step).
    /// </summary>
    public int CompilePdfLibrary(CancellationToken cancellationToken)
    {
        if (!readers.Any(r => r.Format == SourceFormat.Pdf))
        {
            return 0;
        }
        try
        {
            return CodePreparation.Prepare(CodePreparation.LibraryAssemblies("UglyToad.PdfPig", typeof(UglyToad.PdfPig.PdfDocument).Assembly), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException)
        {
            logger.LogDebug(ex, "Compiling the PDF library ahead failed");
            return 0;
        }
    }

    /// <summary>
    /// Generates a document with <paramref name="write"/>, reads it, runs the annotators that run beside each other (and
    /// <paramref name="alsoAnnotator"/>) and the writers that do, one step at a time, in a temporary folder deleted after.
    /// </summary>
    private async Task<Document?> WarmLargeDocumentAsync(SourceFormat format, string name, Action<string> write, string? alsoAnnotator,
        Func<CancellationToken, Task>? betweenSteps, CancellationToken cancellationToken)
    {
        if (readers.FirstOrDefault(r => r.Format == format) is not { } reader)
        {
            return null;
        }
        betweenSteps ??= _ => Task.CompletedTask;
        var folder = CreateFolder();
        try
        {
            await betweenSteps(cancellationToken).ConfigureAwait(false);
            var path = Path.Combine(folder, name);
            write(path);
            await betweenSteps(cancellationToken).ConfigureAwait(false);
            var source = new DocumentSource(path, name);
            var document = await reader.ReadAsync(source, cancellationToken).ConfigureAwait(false) with { FileName = name };
            var context = new AnnotationContext("warm-up", document, profiles.Get(AnnotationProfile.DefaultName));
            foreach (var annotator in annotators.Where(a => a.RunsAlongside || a.Name == alsoAnnotator).OrderBy(a => a.Order))
            {
                await betweenSteps(cancellationToken).ConfigureAwait(false);
                await annotator.AnnotateAsync(context, cancellationToken).ConfigureAwait(false);
            }
            var output = Directory.CreateDirectory(Path.Combine(folder, "out")).FullName;
            var outputContext = new OutputContext("warm-up", document, context.Annotations, source, output);
            foreach (var writer in writers.Where(w => w.RunsAlongside && w.AppliesTo(document)))
            {
                await betweenSteps(cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(outputContext, cancellationToken).ConfigureAwait(false);
            }
            return document;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Warming up on a large {Format} document failed", format);
            return null;
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    /// <summary>
    /// Rows of the workbook the warm-up reads by default: past <c>ScanAhead.MinimumRows</c>, its sheet's 8.8 MB of XML
    /// past the 4 MiB from which a part is read ahead.
    /// </summary>
    public const int LargeWorkbookRows = (int)ScanAhead.MinimumRows;

    /// <summary>
    /// Pages of the report the warm-up reads by default: enough for the hot per-page methods to be compiled optimised
    /// while it reads (a first 500-page PDF after start 1.5–2.0 s without it, 1.0–1.4 s after it, its third read
    /// 0.8–0.9 s; docs/BENCHMARKS.md), at about 0.6 s of reading.
    /// </summary>
    public const int LongPdfPages = 200;

    /// <summary>A fresh temporary folder for a warm-up's files.</summary>
    private static string CreateFolder() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "annotate-warm-up-" + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Deletes a warm-up's folder; one that cannot be deleted now goes with the pipeline child's own temporary folder when it exits.</summary>
    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
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
        yield return (SourceFormat.Pdf, "warm-up.pdf", SamplePdf.Build(1));
    }
}
