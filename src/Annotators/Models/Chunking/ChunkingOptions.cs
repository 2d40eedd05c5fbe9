using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models.Chunking;

/// <summary>How documents are cut into chunks that fit the model's context (configuration section <c>Annotate:Model:Chunking</c>).</summary>
public sealed class ChunkingOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Model:Chunking";

    /// <summary>
    /// Most chunks one task sends to the model for one document; content beyond is left out with a notice, so a
    /// million-row sheet costs a bounded number of model calls. Default 64.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxChunksPerDocument { get; set; } = 64;

    /// <summary>
    /// Tokens kept free besides the prompt text and the answer: the chat template's own tokens and the small differences
    /// between counting pieces and counting their concatenation. Default 48.
    /// </summary>
    [Range(0, 65_536)]
    public int SafetyMarginTokens { get; set; } = 48;

    /// <summary>Smallest chunk budget a task accepts; a smaller one means the context is too small for the task. Default 32.</summary>
    [Range(1, 65_536)]
    public int MinimumChunkTokens { get; set; } = 32;
}
