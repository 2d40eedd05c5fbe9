using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Evaluation;

/// <summary>Limits of <c>eval</c> and <c>POST /api/eval</c> (configuration section <c>Annotate:Eval</c>).</summary>
public sealed class EvaluationOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Eval";

    /// <summary>Largest reference file (one document's references), in bytes. Default 1 MiB.</summary>
    [Range(1, 1L << 30)]
    public long MaxReferenceBytes { get; set; } = 1024 * 1024;

    /// <summary>Most reference files (documents) in one evaluation. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxReferences { get; set; } = 10_000;

    /// <summary>Largest <c>annotations.json</c> read as a result, in bytes. Default 256 MiB.</summary>
    [Range(1, 1L << 40)]
    public long MaxAnnotationsBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most text values (summaries, titles, answers, text fields) compared per reference file. Default 500.</summary>
    [Range(1, 100_000)]
    public int MaxValuesPerReference { get; set; } = 500;

    /// <summary>Largest request body of <c>POST /api/eval</c> (references as JSON or a zip), in bytes. Default 16 MiB.</summary>
    [Range(1, 1L << 32)]
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Most documents of a profile <c>POST /api/eval</c> reads, newest first. Default 5,000.</summary>
    [Range(1, 100_000)]
    public int MaxDocuments { get; set; } = 5_000;
}
