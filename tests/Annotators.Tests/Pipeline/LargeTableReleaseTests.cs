using System.Collections.Concurrent;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Annotate.Annotators.Tests.Pipeline;

/// <summary>Before a large table is read, what the language detector's models of short texts hold is given back.</summary>
public class LargeTableReleaseTests
{
    private const string Rows = "name,city,comment\n" +
        "Alice,Paris,The delivery arrived on time and the invoice was correct.\n" +
        "Bob,Berlin,The customer asked for a second copy of the signed contract.\n";

    private static (IDocumentPipeline Pipeline, LanguageDetectorProvider Language) Create(long largeTableBytes, bool highAccuracy = true,
        ConcurrentQueue<string>? lines = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Annotate:Readers:LargeTableBytes"] = largeTableBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Annotate:Profiles:language-only:Annotators:0"] = "language",
                ["Annotate:Profiles:statistics-only:Annotators:0"] = "statistics",
                ["Annotate:Profiles:scans-then-types:Annotators:0"] = "statistics",
                ["Annotate:Profiles:scans-then-types:Annotators:1"] = "patterns",
                ["Annotate:Profiles:scans-then-types:Annotators:2"] = "columns",
                ["Annotate:Profiles:scans-then-types:Annotators:3"] = "column-types",
                ["Annotate:Language:HighAccuracy"] = highAccuracy ? "true" : "false",
            }).Build())
            .AddLogging(b =>
            {
                if (lines is not null)
                {
                    b.AddProvider(new RecordingLogger(lines));
                }
            })
            .AddAnnotators()
            .BuildServiceProvider();
        var language = services.GetRequiredService<LanguageDetectorProvider>();
        // Loaded, as after an earlier document with short blocks.
        Assert.Equal(Lingua.Language.English, language.Detect("The board met on Monday.")?.Language);
        Assert.Equal(1, language.Loads);
        return (services.GetRequiredService<IDocumentPipeline>(), language);
    }

    private static Task<AnnotationResult> Run(IDocumentPipeline pipeline, TempDir dir, string name, string content, string profile = "language-only")
    {
        var path = dir.File(name);
        File.WriteAllText(path, content);
        return pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = Path.GetFileNameWithoutExtension(name),
            Source = new DocumentSource(path, name),
            OutputDirectory = dir.File("out-" + name),
            Profile = profile,
        }, CancellationToken.None);
    }

    private static bool GaveBackLanguage(string line) =>
        line.StartsWith("Gave back what a large table does not use (", StringComparison.Ordinal) && line.Contains("language-detector", StringComparison.Ordinal);

    [Fact]
    public async Task A_table_at_the_size_gives_back_the_pages_of_the_language_models_before_it_is_read_keeping_them_loaded()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: Rows.Length, lines: lines);
        var tables = language.LinguaDetection.Tables.ToList();
        Assert.Contains(tables, table => table.Mapped && MappedResidency.Kilobytes(table.Address) > 0);

        await Run(pipeline, dir, "customers.csv", Rows, profile: "statistics-only");

        // Mapped from their files, the models give back their pages and stay loaded: no annotator of this profile
        // detects a language, so none is read again.
        Assert.Contains(lines, l => GaveBackLanguage(l) && l.Contains("'customers.csv'", StringComparison.Ordinal));
        Assert.Equal(1, language.Loads);
        Assert.Equal(tables, language.LinguaDetection.Tables.ToList());
        Assert.All(tables, table => Assert.Equal(0, MappedResidency.Kilobytes(table.Address)));
    }

    [Fact]
    public async Task The_heap_is_compacted_once_after_a_large_tables_scans()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, _) = Create(largeTableBytes: Rows.Length, lines: lines);

        var result = await Run(pipeline, dir, "customers.csv", Rows, profile: "scans-then-types");

        var compacted = Assert.Single(lines, l => l.StartsWith("Compacted the heap after the scans of 'customers.csv', a large table", StringComparison.Ordinal));
        Assert.Matches(@"MiB committed in \d+ ms", compacted);
        Assert.Contains(result.Annotations.Runs, r => r.Name == "column-types");
    }

    [Fact]
    public async Task A_table_under_the_size_or_a_text_file_is_not_compacted_after()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, _) = Create(largeTableBytes: Rows.Length + 1, lines: lines);

        await Run(pipeline, dir, "customers.csv", Rows, profile: "scans-then-types");
        await Run(pipeline, dir, "notes.txt", string.Concat(Enumerable.Repeat("The delivery arrived on time and the invoice was correct. ", 10)), profile: "scans-then-types");
        var (never, _) = Create(largeTableBytes: 0, lines: lines);
        await Run(never, dir, "customers.csv", Rows, profile: "scans-then-types");

        Assert.DoesNotContain(lines, l => l.StartsWith("Compacted the heap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_table_s_language_is_told_after_the_release()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: Rows.Length, lines: lines);

        var result = await Run(pipeline, dir, "customers.csv", Rows);

        Assert.Contains(lines, l => GaveBackLanguage(l));
        Assert.Equal(1, language.Loads);
        Assert.Equal("en", result.Annotations.Language?.Code);
    }

    [Fact]
    public async Task In_low_accuracy_mode_there_is_nothing_to_give_back()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: Rows.Length, highAccuracy: false, lines: lines);

        await Run(pipeline, dir, "customers.csv", Rows);

        Assert.DoesNotContain(lines, l => GaveBackLanguage(l));
        Assert.Equal(1, language.Loads);
    }

    [Fact]
    public void Models_held_in_memory_are_unloaded_and_the_trigram_ones_read_again()
    {
        // No folder to map the tables from: they are held in memory, and only unloading gives them back.
        var language = new LanguageDetectorProvider(
            Microsoft.Extensions.Options.Options.Create(new LanguageOptions { Languages = ["en", "de"] }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LanguageDetectorProvider>.Instance, build: null, tablesFolder: null);
        Assert.Equal(Lingua.Language.English, language.Detect("The board met on Monday.")?.Language);
        var held = language.LinguaDetection.Tables.Count();
        Assert.False(language.LinguaDetection.AllMapped);

        Assert.True(language.ReleaseBeforeLargeTable());

        // Built again with the trigram models (and the shorter ones they fall back to) of the two languages only.
        Assert.Equal(2, language.Loads);
        Assert.True(language.IsLoaded);
        Assert.InRange(language.LinguaDetection.Tables.Count(), 1, held - 1);
        Assert.DoesNotContain(language.LinguaDetection.Tables, table => table.Mapped);
    }

    [Fact]
    public void Preloaded_models_stay_loaded_as_asked()
    {
        var language = new LanguageDetectorProvider(
            Microsoft.Extensions.Options.Options.Create(new LanguageOptions { Languages = ["en", "de"], PreloadModels = true }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LanguageDetectorProvider>.Instance);
        using (language.Acquire())
        {
        }

        Assert.False(language.ReleaseBeforeLargeTable());

        Assert.True(language.IsLoaded);
        Assert.Equal(1, language.Loads);
    }

    [Fact]
    public async Task A_smaller_table_keeps_them()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: Rows.Length + 1, lines: lines);

        await Run(pipeline, dir, "customers.csv", Rows);

        Assert.DoesNotContain(lines, l => GaveBackLanguage(l));
        Assert.Equal(1, language.Loads);
    }

    [Fact]
    public async Task A_text_of_the_size_keeps_them_its_short_blocks_need_them()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: 16, lines: lines);

        await Run(pipeline, dir, "note.txt", "The delivery arrived on time and the invoice was correct.\n\nThe customer asked for a copy.\n");

        Assert.DoesNotContain(lines, l => GaveBackLanguage(l));
        Assert.Equal(1, language.Loads);
    }

    [Fact]
    public async Task Zero_never_gives_them_back()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<string>();
        var (pipeline, language) = Create(largeTableBytes: 0, lines: lines);

        await Run(pipeline, dir, "customers.csv", Rows);

        Assert.DoesNotContain(lines, l => GaveBackLanguage(l));
        Assert.Equal(1, language.Loads);
    }
}
