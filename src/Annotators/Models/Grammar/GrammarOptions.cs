using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models.Grammar;

/// <summary>
/// Bounds the JSON Schema → GBNF compiler puts on values the schema leaves open (configuration section
/// <c>Annotate:Model:Grammar</c>). Every value the model writes is bounded so that generation ends within the token limit
/// even when a tiny model would otherwise keep writing one string or one array forever.
/// </summary>
public sealed class GrammarOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Model:Grammar";

    /// <summary>Largest bound llama.cpp accepts in a <c>{m,n}</c> repetition (it rejects 2000 and above).</summary>
    public const int MaxRepetition = 1999;

    /// <summary>
    /// Longest string, in characters, when the schema gives no <c>maxLength</c>; also the ceiling for larger
    /// <c>maxLength</c> values. llama.cpp refuses a repetition count of 2000 or more. Default 512.
    /// </summary>
    [Range(1, MaxRepetition)]
    public int MaxStringLength { get; set; } = 512;

    /// <summary>Most array items when the schema gives no <c>maxItems</c>; also the ceiling for larger values. Default 16.</summary>
    [Range(1, MaxRepetition)]
    public int MaxArrayItems { get; set; } = 16;

    /// <summary>
    /// How many times a recursive <c>$ref</c> may be entered within itself; deeper, only the ways out (an empty array,
    /// an absent optional property, another alternative) remain. Default 3.
    /// </summary>
    [Range(1, 10)]
    public int MaxRecursionDepth { get; set; } = 3;

    /// <summary>
    /// When an answer stops at its token limit before the grammar is complete, ask once more with all the room the
    /// context has left, instead of failing at once. Typical answers stay within the task's small limit; this keeps an
    /// unusually long one from failing the document. Default true.
    /// </summary>
    public bool ExtendCutAnswers { get; set; } = true;

    /// <summary>Most whitespace characters between two JSON tokens; unbounded whitespace lets small models loop. Default 2.</summary>
    [Range(0, 16)]
    public int MaxWhitespace { get; set; } = 2;
}
