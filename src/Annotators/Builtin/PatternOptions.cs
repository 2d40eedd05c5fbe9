using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Builtin;

/// <summary>Settings of the pattern-based entity recognizer (configuration section <c>Annotate:Patterns</c>).</summary>
public sealed class PatternOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Patterns";

    /// <summary>
    /// ISO 3166-1 region (e.g. <c>DE</c>) used to read phone numbers written without a country code.
    /// Default null: only international numbers starting with <c>+</c> are reported, because a national number
    /// cannot be normalised to E.164 without knowing the country.
    /// </summary>
    [RegularExpression("^[A-Za-z]{2}$")]
    public string? DefaultRegion { get; set; }

    /// <summary>
    /// How to read an ambiguous numeric date such as <c>03/04/2024</c>: day first (3 April) when true, month first
    /// (4 March) when false. Dates that only fit one reading (<c>15/03/2024</c>, <c>03/15/2024</c>) are read that way
    /// whatever this says. Default true, as in most of the world.
    /// </summary>
    public bool DayFirst { get; set; } = true;

    /// <summary>Most entities kept per document; more are dropped with an <c>entities-truncated</c> notice. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntities { get; set; } = 100_000;
}
