using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Models.Tasks.Rows;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Tests.Models.Host;
using Annotate.Annotators.Tests.Readers.Xlsx;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

/// <summary>
/// The real tiny model behind the real host, and one 40-row ledger annotated with the built-in <c>spreadsheet-rows</c>
/// profile once for the whole class (the model run is the slow part; the tests check different sides of its result).
/// </summary>
public sealed class RowModelFixture : IAsyncLifetime, IDisposable
{
    public const int LedgerRows = 40;

    public const int ContextSize = 2048;

    private readonly TempDir _dir = new();

    public LlamaModelHost Host { get; private set; } = null!;

    public AnnotationProfile Profile { get; } = new ProfileCatalog(Options.Create(new ProfileOptions())).Get("spreadsheet-rows");

    public string LedgerPath => _dir.File("ledger.xlsx");

    public AnnotationContext Ledger { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Beyond the model's trained 512 tokens so that several rows share a prompt, as they do with production models.
        Host = await ModelHostFactory.LoadedAsync(o => o.ContextSize = ContextSize);
        RowWorkbooks.Ledger(LedgerPath, LedgerRows);
        Ledger = new AnnotationContext("doc-1", XlsxReaderTests.Read(LedgerPath, streamed: false), Profile);
        var outcome = await Annotator().AnnotateAsync(Ledger, CancellationToken.None);
        Assert.True(outcome.Ran, outcome.Reason);
    }

    public RowAnnotator Annotator(ILanguageModel? model = null, int maxRows = 10_000, int maxCellCharacters = 200)
    {
        model ??= Host;
        var generator = new StructuredGenerator(model, NullLogger<StructuredGenerator>.Instance);
        return new RowAnnotator(model, generator, Options.Create(ModelHostFactory.Options(o => o.ContextSize = ContextSize)),
            Options.Create(new RowAnnotatorOptions { MaxRows = maxRows, MaxCellCharacters = maxCellCharacters }), NullLogger<RowAnnotator>.Instance);
    }

    public static AnnotationContext Context(Document document, AnnotationProfile profile) => new("doc-1", document, profile);

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _dir.Dispose();
    }

    public void Dispose() => _dir.Dispose();
}
