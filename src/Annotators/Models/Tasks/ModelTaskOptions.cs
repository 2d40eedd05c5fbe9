using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Answer sizes of the model tasks (configuration section <c>Annotate:Model:Tasks</c>). Every bound is also written into
/// the task's JSON Schema, so a small model cannot write past it.
/// </summary>
public sealed class ModelTaskOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Model:Tasks";

    /// <summary>Most tokens of one metadata answer (per chunk, and per combining step of the summaries). Default 384.</summary>
    [Range(16, 65_536)]
    public int MetadataMaxOutputTokens { get; set; } = 384;

    /// <summary>Most tokens of one extraction answer. Default 512.</summary>
    [Range(16, 65_536)]
    public int ExtractionMaxOutputTokens { get; set; } = 512;

    /// <summary>Most tokens of one reformat answer (the chunk rewritten). Default 1024.</summary>
    [Range(16, 65_536)]
    public int ReformatMaxOutputTokens { get; set; } = 1024;

    /// <summary>Most tokens of one question–answer answer. Default 384.</summary>
    [Range(16, 65_536)]
    public int QaMaxOutputTokens { get; set; } = 384;

    /// <summary>Longest title, in characters. Default 120.</summary>
    [Range(1, 1999)]
    public int TitleMaxLength { get; set; } = 120;

    /// <summary>Longest keyword, entity name or free document type, in characters. Default 60.</summary>
    [Range(1, 1999)]
    public int NameMaxLength { get; set; } = 60;

    /// <summary>Most named entities per chunk. Default 10.</summary>
    [Range(0, 1999)]
    public int MaxEntitiesPerChunk { get; set; } = 10;

    /// <summary>Most dates per chunk. Default 6.</summary>
    [Range(0, 1999)]
    public int MaxDatesPerChunk { get; set; } = 6;

    /// <summary>Most Markdown lines per chunk (target <c>markdown</c>). Default 64.</summary>
    [Range(1, 1999)]
    public int MarkdownLinesPerChunk { get; set; } = 64;

    /// <summary>Longest Markdown line, in characters. Default 400.</summary>
    [Range(1, 1999)]
    public int MarkdownLineMaxLength { get; set; } = 400;

    /// <summary>Most records per chunk (targets <c>json-records</c> and <c>csv</c>). Default 16.</summary>
    [Range(1, 1999)]
    public int RecordsPerChunk { get; set; } = 16;

    /// <summary>Longest question, in characters. Default 160.</summary>
    [Range(1, 1999)]
    public int QuestionMaxLength { get; set; } = 160;

    /// <summary>Longest answer, in characters. Default 320.</summary>
    [Range(1, 1999)]
    public int AnswerMaxLength { get; set; } = 320;
}
