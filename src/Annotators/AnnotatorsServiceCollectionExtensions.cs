using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Memory;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Host;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Models.Tasks.Rows;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Ocr;
using Annotate.Annotators.Readers.Docx;
using Annotate.Annotators.Readers.Image;
using Annotate.Annotators.Readers.Html;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Readers.Pptx;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Writers.Markdown;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators;

/// <summary>Registers the annotation engine: readers, annotators, writers and the pipeline.</summary>
public static class AnnotatorsServiceCollectionExtensions
{
    /// <summary>Adds the pipeline with every built-in reader, annotator and writer, and binds their options.</summary>
    public static IServiceCollection AddAnnotators(this IServiceCollection services)
    {
        services.AddAnnotationSettings();
        services.TryAddSingleton<FormatDetector>();
        services.TryAddSingleton<IDocumentPipeline, DocumentPipeline>();
        services.TryAddSingleton<EngineWarmUp>();
        return services.AddDefaultReaders().AddDefaultAnnotators().AddModelHost().AddDefaultWriters();
    }

    /// <summary>
    /// The settings a host needs to accept documents without annotating them (a gateway): the size limit of a document
    /// and the profiles. Loads no model, no language detector and no reader.
    /// </summary>
    public static IServiceCollection AddAnnotationSettings(this IServiceCollection services)
    {
        // Binding twice would add every profile list entry twice: the gateway and the engine both ask for these.
        if (services.Any(d => d.ServiceType == typeof(ProfileCatalog)))
        {
            return services;
        }
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ContainerOptions>().BindConfiguration(ContainerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProfileOptions>().BindConfiguration(ProfileOptions.Section);
        services.TryAddSingleton<ProfileCatalog>();
        return services;
    }

    /// <summary>
    /// Adds the local language model: one <see cref="LlamaModelHost"/> per process (loaded at start-up, shared by
    /// every model annotator), schema-constrained generation, and the model health check.
    /// </summary>
    public static IServiceCollection AddModelHost(this IServiceCollection services)
    {
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GrammarOptions>().BindConfiguration(GrammarOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<LlamaModelHost>();
        services.TryAddSingleton<ILanguageModel>(sp => sp.GetRequiredService<LlamaModelHost>());
        services.AddHostedService(sp => sp.GetRequiredService<LlamaModelHost>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReleasableWhenIdle, LlamaModelHost>(sp => sp.GetRequiredService<LlamaModelHost>()));
        services.TryAddSingleton<StructuredGenerator>();
        // Tagged "ready": a host that runs the engine is not ready when its model failed to load (none configured is only degraded).
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);

        // The model tasks: each skips itself when no model is configured or its profile does not ask for it.
        services.AddOptions<ChunkingOptions>().BindConfiguration(ChunkingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ModelTaskOptions>().BindConfiguration(ModelTaskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DocumentChunker>();
        services.TryAddSingleton(sp => new Grounding(new EntityRecognizer(sp.GetRequiredService<IOptions<PatternOptions>>())));
        services.AddSingleton<IAnnotator, MetadataAnnotator>();
        services.AddSingleton<IAnnotator, ExtractionAnnotator>();
        services.AddSingleton<IAnnotator, ReformatAnnotator>();
        services.AddSingleton<IAnnotator, QuestionAnswerAnnotator>();
        services.AddOptions<RowAnnotatorOptions>().BindConfiguration(RowAnnotatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IAnnotator, RowAnnotator>();
        return services;
    }

    /// <summary>Adds one reader per supported format.</summary>
    public static IServiceCollection AddDefaultReaders(this IServiceCollection services)
    {
        services.AddOptions<OcrOptions>().BindConfiguration(OcrOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // OCR's default languages are the language detector's (Annotate:Language, bound with the annotators).
        services.TryAddSingleton<TesseractOcr>();
        services.AddSingleton<IDocumentReader, PdfReader>();
        services.AddSingleton<IDocumentReader>(sp => new ImageReader(SourceFormat.Png, sp.GetRequiredService<TesseractOcr>()));
        services.AddSingleton<IDocumentReader>(sp => new ImageReader(SourceFormat.Jpeg, sp.GetRequiredService<TesseractOcr>()));
        services.AddSingleton<IDocumentReader>(sp => new ImageReader(SourceFormat.Tiff, sp.GetRequiredService<TesseractOcr>()));
        services.AddSingleton<IDocumentReader, XlsxReader>();
        services.AddSingleton<IDocumentReader, DocxReader>();
        services.AddSingleton<IDocumentReader, PptxReader>();
        services.AddSingleton<IDocumentReader, HtmlReader>();
        services.AddSingleton<IDocumentReader, Readers.Eml.EmlReader>();
        services.AddSingleton<IDocumentReader, Readers.Zip.ZipReader>();
        services.AddSingleton<IDocumentReader, PlainTextReader>();
        services.AddSingleton<IDocumentReader, MarkdownReader>();
        services.AddSingleton<IDocumentReader>(sp => new DelimitedTextReader(sp.GetRequiredService<IOptions<ReaderOptions>>()));
        return services;
    }

    /// <summary>Adds the annotators that need no language model.</summary>
    public static IServiceCollection AddDefaultAnnotators(this IServiceCollection services)
    {
        services.AddOptions<LanguageOptions>().BindConfiguration(LanguageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PatternOptions>().BindConfiguration(PatternOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The Lingua detector is expensive to build: one per process.
        services.TryAddSingleton<LanguageDetectorProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReleasableWhenIdle, LanguageDetectorProvider>(sp => sp.GetRequiredService<LanguageDetectorProvider>()));
        services.AddHostedService<LanguageDetectorWarmup>();
        services.AddSingleton<IAnnotator, StatisticsAnnotator>();
        services.AddSingleton<IAnnotator, LanguageAnnotator>();
        services.AddSingleton<IAnnotator, PatternEntityAnnotator>();
        services.AddSingleton<IAnnotator, ColumnProfileAnnotator>();
        services.AddOptions<KeyValueOptions>().BindConfiguration(KeyValueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<KeyNormaliser>();
        services.AddSingleton<IAnnotator, KeyValueAnnotator>();
        return services.AddSemanticAnnotators();
    }

    /// <summary>The annotators that compare text by meaning with the embedded sentence encoder: document type, column types, keywords, summary, duplicates.</summary>
    public static IServiceCollection AddSemanticAnnotators(this IServiceCollection services)
    {
        services.AddTextEmbedder();
        services.AddOptions<SemanticOptions>().BindConfiguration(SemanticOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IAnnotator, DocumentTypeAnnotator>();
        services.AddSingleton<IAnnotator, ColumnTypeAnnotator>();
        services.AddSingleton<IAnnotator, KeywordAnnotator>();
        services.AddSingleton<IAnnotator, ExtractiveSummaryAnnotator>();
        // Off unless a profile asks for chunk embeddings.
        services.AddSingleton<IAnnotator, ChunkEmbeddingAnnotator>();
        // Runs where the host adds an IDocumentVectorIndex (the worker, over the shared blob store); skipped elsewhere.
        services.AddSingleton<IAnnotator, DuplicateAnnotator>();
        return services;
    }

    /// <summary>
    /// Adds the embedded sentence encoder as <see cref="ITextEmbedder"/>: one per process, loaded on first use (so a
    /// host that never embeds never loads it), shared by every annotator that compares text by meaning.
    /// </summary>
    public static IServiceCollection AddTextEmbedder(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(MiniLmTextEmbedder)))
        {
            return services;
        }
        services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MiniLmTextEmbedder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReleasableWhenIdle, MiniLmTextEmbedder>(sp => sp.GetRequiredService<MiniLmTextEmbedder>()));
        services.TryAddSingleton<ITextEmbedder>(sp => sp.GetRequiredService<MiniLmTextEmbedder>());
        return services;
    }

    /// <summary>Adds the output writers.</summary>
    public static IServiceCollection AddDefaultWriters(this IServiceCollection services)
    {
        services.AddOptions<MarkdownWriterOptions>().BindConfiguration(MarkdownWriterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IOutputWriter, MarkdownWriter>();
        services.AddSingleton<IOutputWriter, ReformattedContentWriter>();
        services.AddSingleton<IOutputWriter, QaJsonlWriter>();
        services.AddSingleton<IOutputWriter, EmbeddingsJsonlWriter>();
        services.AddSingleton<IOutputWriter, AnnotatedWorkbookWriter>();
        services.AddSingleton<IOutputWriter, CsvTablesWriter>();
        services.AddSingleton<IOutputWriter, OriginalFileWriter>();
        // Beside the table writers, on the core they leave; writers may add notices (annotated.xlsx saying which
        // characters it left out), and annotations.json, which lists them, is written again when one did; after them
        // when there are row fields, whose places they record (DescribesOtherOutputs).
        services.AddSingleton<IOutputWriter, AnnotationsJsonWriter>();
        return services;
    }
}
