using System.Text.Json.Nodes;

namespace Annotate.Annotators.Models.Grammar;

/// <summary>
/// Compiles a JSON Schema into a llama.cpp GBNF grammar (root rule <c>root</c>) whose every sentence is a JSON document
/// valid against the schema, so constrained decoding always yields parseable, valid output.
/// </summary>
/// <remarks>
/// <para>Supported: <c>type</c> (single or a list), <c>object</c> with <c>properties</c>/<c>required</c> (properties are
/// written in declaration order, required ones always, optional ones present or absent; only declared properties are
/// written, whatever <c>additionalProperties</c> says), <c>array</c> with <c>items</c>/<c>minItems</c>/<c>maxItems</c>,
/// <c>string</c> with <c>minLength</c>/<c>maxLength</c> and <c>format</c> <c>date</c>, <c>date-time</c> or <c>uuid</c>,
/// <c>number</c>, <c>integer</c>, <c>boolean</c>, <c>null</c>, <c>enum</c>/<c>const</c> of any JSON values,
/// <c>anyOf</c>/<c>oneOf</c>, local <c>$ref</c> (<c>#</c>, <c>#/$defs/…</c>, <c>#/definitions/…</c> or any JSON pointer
/// into the schema; recursive references are unrolled <see cref="GrammarOptions.MaxRecursionDepth"/> levels) and the annotation keywords (<c>title</c>, <c>description</c>…).</para>
/// <para><c>pattern</c> is not compiled (regular expressions are not translated); the validator still checks it, so output
/// that misses the pattern fails as <c>model-invalid-output</c>. <c>oneOf</c> alternatives are compiled like
/// <c>anyOf</c>: keep them mutually exclusive. Numbers are written without exponent, with at most 15 integer and 6 fraction
/// digits. Strings use literal characters and the short escapes (<c>\n</c>, <c>\"</c>…), never <c>\u</c> escapes. Any
/// other keyword that constrains values throws an <see cref="ArgumentException"/> naming it.</para>
/// </remarks>
public static class JsonSchemaGrammar
{
    /// <summary>Name of the grammar's start rule.</summary>
    public const string RootRule = "root";

    /// <summary>Compiles <paramref name="schema"/> with the default <see cref="GrammarOptions"/>.</summary>
    /// <exception cref="ArgumentException">The schema uses a keyword or construct the compiler does not support.</exception>
    public static string Compile(JsonNode schema) => Compile(schema, new GrammarOptions());

    /// <summary>Compiles <paramref name="schema"/> with the given bounds.</summary>
    /// <exception cref="ArgumentException">The schema uses a keyword or construct the compiler does not support.</exception>
    public static string Compile(JsonNode schema, GrammarOptions options)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxStringLength is < 1 or > GrammarOptions.MaxRepetition || options.MaxArrayItems is < 1 or > GrammarOptions.MaxRepetition
            || options.MaxWhitespace is < 0 or > 16 || options.MaxRecursionDepth is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"Grammar bounds must be 1–{GrammarOptions.MaxRepetition} (MaxStringLength, MaxArrayItems), 0–16 (MaxWhitespace) and 1–10 (MaxRecursionDepth).");
        }
        return new SchemaGrammarCompiler(schema, options).Compile();
    }
}
