using System.Collections.Concurrent;
using System.IO.Compression;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic.Columns;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Tests.Pipeline;

public class EngineWarmUpTests
{
    /// <summary>The engine with default settings, its logs going nowhere, or, down to debug, into <paramref name="lines"/>.</summary>
    private static ServiceProvider Engine(ConcurrentQueue<string>? lines = null) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
        .AddLogging(b =>
        {
            if (lines is not null)
            {
                b.SetMinimumLevel(LogLevel.Debug).AddProvider(new RecordingLogger(lines));
            }
        })
        .AddAnnotators()
        .BuildServiceProvider();

    [Fact]
    public async Task Every_sample_is_read_and_written_without_a_failure_and_nothing_is_left_behind()
    {
        var lines = new ConcurrentQueue<string>();
        await using var services = Engine(lines);
        var before = Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length;

        var warmUp = services.GetRequiredService<EngineWarmUp>();
        await warmUp.WarmReadersAndWritersAsync(CancellationToken.None);
        await warmUp.WarmAnnotatorsAsync(withEncoder: false, CancellationToken.None);

        Assert.DoesNotContain(lines, l => l.StartsWith("Warming up", StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length);
        // Without the encoder's annotators: the encoder is loaded only when asked for.
        Assert.False(services.GetRequiredService<MiniLmTextEmbedder>().IsLoaded);
    }

    [Fact]
    public async Task The_built_in_profiles_use_the_encoder_and_warming_it_fills_its_cache_with_their_taxonomies()
    {
        await using var services = Engine();
        var warmUp = services.GetRequiredService<EngineWarmUp>();

        Assert.True(warmUp.ProfilesUseEncoder);
        warmUp.WarmEncoder(CancellationToken.None);
        var embedder = services.GetRequiredService<MiniLmTextEmbedder>();
        Assert.True(embedder.IsLoaded);
        var cached = embedder.CachedVectors;
        await warmUp.WarmReadersAndWritersAsync(CancellationToken.None);
        await warmUp.WarmAnnotatorsAsync(withEncoder: true, CancellationToken.None);

        // The default profile's taxonomy alone is 17 labels.
        Assert.True(embedder.CachedVectors >= cached + 17, $"{cached} → {embedder.CachedVectors} vectors");
    }

    [Fact]
    public async Task The_key_vocabulary_is_encoded_by_the_warm_up_with_the_encoder_and_not_without_it()
    {
        await using var services = Engine();
        var warmUp = services.GetRequiredService<EngineWarmUp>();
        var keys = services.GetRequiredService<KeyNormaliser>();
        await warmUp.WarmReadersAndWritersAsync(CancellationToken.None);

        await warmUp.WarmAnnotatorsAsync(withEncoder: false, CancellationToken.None);
        Assert.False(keys.IsPrepared);

        warmUp.WarmEncoder(CancellationToken.None);
        await warmUp.WarmAnnotatorsAsync(withEncoder: true, CancellationToken.None);
        Assert.True(keys.IsPrepared);
        // Every key's names and descriptions.
        Assert.Equal(KeyVocabulary.Keys.Sum(k => k.Aliases.Count + k.Descriptions.Count), keys.Prepare());
    }

    [Fact]
    public async Task The_warm_up_waits_between_its_steps_for_as_long_as_its_host_holds_it()
    {
        await using var services = Engine();
        var warmUp = services.GetRequiredService<EngineWarmUp>();
        var steps = 0;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reachedHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Free for the first format, held before the second (as the child holds it while a document is in flight).
        Task BetweenSteps(CancellationToken cancellationToken)
        {
            if (++steps == 2)
            {
                reachedHold.TrySetResult();
                return held.Task.WaitAsync(cancellationToken);
            }
            return Task.CompletedTask;
        }

        var warming = warmUp.WarmReadersAndWritersAsync(CancellationToken.None, BetweenSteps);
        await reachedHold.Task.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.False(warming.IsCompleted);
        Assert.Equal(2, steps);
        held.SetResult();
        await warming.WaitAsync(TimeSpan.FromMinutes(2));
        // One step per sample format (text, Markdown, CSV, HTML, PDF), then one per local annotator of each profile.
        Assert.Equal(5, steps);
        await warmUp.WarmAnnotatorsAsync(withEncoder: false, CancellationToken.None, BetweenSteps);
        Assert.True(steps > 5, $"{steps} steps");
    }

    [Fact]
    public async Task The_large_workbook_is_read_streamed_annotated_and_written_past_the_large_workbook_thresholds_and_nothing_is_left_behind()
    {
        var lines = new ConcurrentQueue<string>();
        await using var services = Engine(lines);
        var before = Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length;
        var steps = 0;

        var document = await services.GetRequiredService<EngineWarmUp>().WarmLargeWorkbookAsync(EngineWarmUp.LargeWorkbookRows, withEncoder: false, CancellationToken.None,
            _ => { steps++; return Task.CompletedTask; });

        Assert.DoesNotContain(lines, l => l.StartsWith("Warming up", StringComparison.Ordinal));
        Assert.NotNull(document);
        Assert.True(Assert.Single(document.Sheets).Streamed);
        var table = Assert.Single(document.Blocks.OfType<TableBlock>());
        // Scanned ahead by the writers: as many rows as that takes.
        Assert.True(table.Rows.Count >= ScanAhead.MinimumRows, $"{table.Rows.Count} rows");
        // Generating, reading, four annotators (statistics, language, patterns, columns), four writers (xlsx, csv, original, annotations).
        Assert.Equal(10, steps);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length);
        // Without the encoder's annotators: the encoder is loaded only when asked for.
        Assert.False(services.GetRequiredService<MiniLmTextEmbedder>().IsLoaded);

        // Its sheet is large enough to be read ahead, its shared strings not (their reading is not waited for).
        using var dir = new TempDir();
        SampleWorkbook.Write(dir.File("ledger.xlsx"), EngineWarmUp.LargeWorkbookRows);
        using var zip = ZipFile.OpenRead(dir.File("ledger.xlsx"));
        Assert.True(ReadAheadStream.Pays(zip.GetEntry("xl/worksheets/sheet1.xml")!.Length));
    }

    [Fact]
    public async Task With_the_encoder_the_large_workbook_puts_the_column_types_descriptions_in_its_cache()
    {
        await using var services = Engine();
        var warmUp = services.GetRequiredService<EngineWarmUp>();
        warmUp.WarmEncoder(CancellationToken.None);
        var embedder = services.GetRequiredService<MiniLmTextEmbedder>();
        var cached = embedder.CachedVectors;
        var steps = 0;

        var document = await warmUp.WarmLargeWorkbookAsync(EngineWarmUp.LargeWorkbookRows, withEncoder: true, CancellationToken.None, _ => { steps++; return Task.CompletedTask; });

        Assert.NotNull(document);
        // One step more than without the encoder: the column types.
        Assert.Equal(11, steps);
        var descriptions = ColumnTypeVocabulary.Types.Sum(t => ColumnTypeVocabulary.Descriptions[t].Count);
        Assert.True(embedder.CachedVectors >= cached + descriptions, $"{cached} → {embedder.CachedVectors} vectors, {descriptions} descriptions");
    }

    [Fact]
    public async Task No_large_workbook_is_read_when_none_is_asked_for()
    {
        await using var services = Engine();
        var steps = 0;

        var document = await services.GetRequiredService<EngineWarmUp>().WarmLargeWorkbookAsync(0, withEncoder: true, CancellationToken.None, _ => { steps++; return Task.CompletedTask; });

        Assert.Null(document);
        Assert.Equal(0, steps);
    }

    [Fact]
    public async Task The_long_pdf_is_read_a_page_per_page_annotated_and_written_and_nothing_is_left_behind()
    {
        var lines = new ConcurrentQueue<string>();
        await using var services = Engine(lines);
        var before = Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length;
        var steps = 0;

        var document = await services.GetRequiredService<EngineWarmUp>().WarmLongPdfAsync(EngineWarmUp.LongPdfPages, withEncoder: false, CancellationToken.None,
            _ => { steps++; return Task.CompletedTask; });

        Assert.DoesNotContain(lines, l => l.StartsWith("Warming up", StringComparison.Ordinal));
        Assert.NotNull(document);
        Assert.Equal(SourceFormat.Pdf, document.Format);
        // Every page read, none a copy of another (a page repeated would be answered from what the first one built).
        Assert.Equal(EngineWarmUp.LongPdfPages, document.Pages.Count);
        Assert.Equal(EngineWarmUp.LongPdfPages, document.Pages.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("Section 200: quarterly review", document.Pages[^1], StringComparison.Ordinal);
        // Long enough to be read by as many threads as a long PDF is.
        Assert.True(EngineWarmUp.LongPdfPages >= new ReaderOptions().PdfParallelMinPages);
        // Generating, reading, then each annotator and writer that runs beside the others on it.
        var annotators = services.GetServices<IAnnotator>().Count(a => a.RunsAlongside);
        var writers = services.GetServices<IOutputWriter>().Count(w => w.RunsAlongside && w.AppliesTo(document));
        Assert.Equal(2 + annotators + writers, steps);
        Assert.True(annotators >= 3 && writers >= 2, $"{annotators} annotators, {writers} writers");
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "annotate-warm-up-*").Length);
        Assert.False(services.GetRequiredService<MiniLmTextEmbedder>().IsLoaded);
    }

    [Fact]
    public async Task With_the_encoder_the_long_pdf_is_summarised_too_and_nothing_else_uses_the_encoder()
    {
        await using var services = Engine();
        var warmUp = services.GetRequiredService<EngineWarmUp>();
        warmUp.WarmEncoder(CancellationToken.None);
        var embedder = services.GetRequiredService<MiniLmTextEmbedder>();
        var encoded = embedder.EncodedTexts;
        var steps = 0;

        var document = await warmUp.WarmLongPdfAsync(EngineWarmUp.LongPdfPages, withEncoder: true, CancellationToken.None, _ => { steps++; return Task.CompletedTask; });

        Assert.NotNull(document);
        // One step more than without the encoder: the summary, which compares its candidates with the encoder.
        var annotators = services.GetServices<IAnnotator>().Count(a => a.RunsAlongside);
        var writers = services.GetServices<IOutputWriter>().Count(w => w.RunsAlongside && w.AppliesTo(document));
        Assert.Equal(3 + annotators + writers, steps);
        Assert.InRange(embedder.EncodedTexts - encoded, 3, new Annotate.Annotators.Semantic.SemanticOptions().SummaryCandidates + 1);
    }

    [Fact]
    public async Task The_pdf_library_is_compiled_ahead_all_its_assemblies()
    {
        await using var services = Engine();

        var compiled = services.GetRequiredService<EngineWarmUp>().CompilePdfLibrary(CancellationToken.None);

        // PdfPig 0.1.16's five assemblies hold about 5,800 methods that can be compiled without type arguments; its main
        // assembly alone fewer than 4,000.
        Assert.InRange(compiled, 4_000, 20_000);
    }

    [Fact]
    public async Task No_long_pdf_is_read_when_none_is_asked_for()
    {
        await using var services = Engine();
        var steps = 0;

        var document = await services.GetRequiredService<EngineWarmUp>().WarmLongPdfAsync(0, withEncoder: true, CancellationToken.None, _ => { steps++; return Task.CompletedTask; });

        Assert.Null(document);
        Assert.Equal(0, steps);
    }
}
