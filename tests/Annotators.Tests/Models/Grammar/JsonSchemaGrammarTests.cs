using System.Text.Json.Nodes;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Tests.Models.Support;

namespace Annotate.Annotators.Tests.Models.Grammar;

public class JsonSchemaGrammarTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    private bool LlamaAccepts(string gbnf) => LlamaGrammarCheck.Accepts(fixture.Model.Weights, gbnf);

    [Theory]
    [MemberData(nameof(SampleSchemas.Names), MemberType = typeof(SampleSchemas))]
    public void Every_sample_schema_compiles_to_a_grammar_llama_cpp_accepts(string name)
    {
        var gbnf = JsonSchemaGrammar.Compile(SampleSchemas.Parse(name));

        Assert.StartsWith("root ::= ", gbnf);
        Assert.True(LlamaAccepts(gbnf), $"llama.cpp rejected the grammar of '{name}':\n{gbnf}");
    }

    [Fact]
    public void The_grammar_check_rejects_what_llama_cpp_cannot_parse()
    {
        Assert.False(LlamaAccepts("root ::= undefined-rule"));
        Assert.False(LlamaAccepts("root ::= \"a\"{0,2000}"));
        Assert.True(LlamaAccepts($"root ::= \"a\"{{0,{GrammarOptions.MaxRepetition}}}"));
    }

    [Fact]
    public void Whitespace_between_tokens_is_bounded()
    {
        var gbnf = JsonSchemaGrammar.Compile(SampleSchemas.Parse("nested-objects"));

        Assert.Contains("ws ::= [ \\t\\n]{0,2}\n", gbnf);
        Assert.DoesNotContain("*", gbnf);
        Assert.DoesNotContain("+", gbnf.Replace("[+-]", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Strings_without_maxLength_get_the_configured_bound_and_larger_ones_are_capped()
    {
        var options = new GrammarOptions { MaxStringLength = 40 };

        var open = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"string"}""")!, options);
        var large = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"string","minLength":3,"maxLength":5000}""")!, options);

        Assert.Contains("char{0,40}", open);
        Assert.Contains("char{3,40}", large);
        Assert.True(LlamaAccepts(open));
    }

    [Fact]
    public void The_largest_configurable_bounds_are_still_accepted_by_llama_cpp()
    {
        var options = new GrammarOptions { MaxStringLength = GrammarOptions.MaxRepetition, MaxArrayItems = GrammarOptions.MaxRepetition, MaxWhitespace = 16 };
        var any = JsonSchemaGrammar.Compile(SampleSchemas.Parse("any-value"), options);
        var nested = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"array","items":{"type":"array","items":{"type":"object","properties":{"s":{"type":"string"}}}}}""")!, options);

        Assert.True(LlamaAccepts(any));
        Assert.True(LlamaAccepts(nested));
    }

    [Fact]
    public void Bounds_llama_cpp_would_refuse_are_rejected_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSchemaGrammar.Compile(SampleSchemas.Parse("numbers"), new GrammarOptions { MaxStringLength = 2000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSchemaGrammar.Compile(SampleSchemas.Parse("numbers"), new GrammarOptions { MaxArrayItems = 0 }));
    }

    [Fact]
    public void No_whitespace_at_all_is_a_valid_setting()
    {
        var gbnf = JsonSchemaGrammar.Compile(SampleSchemas.Parse("bounded-array"), new GrammarOptions { MaxWhitespace = 0 });

        Assert.Contains("ws ::= \"\"\n", gbnf);
        Assert.True(LlamaAccepts(gbnf));
    }

    [Fact]
    public void Array_bounds_are_expanded_into_counted_repetitions()
    {
        var exact = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":3}""")!);
        var range = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":4}""")!);
        var open = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"type":"array","items":{"type":"integer"}}""")!, new GrammarOptions { MaxArrayItems = 5 });

        Assert.Contains("( \",\" ws integer ws ){2}", exact);
        Assert.Contains("( \",\" ws integer ws ){0,3}", range);
        Assert.Contains("value-items ::= integer ws ( \",\" ws integer ws ){0,4}\n", open);
        Assert.Contains("value ::= \"[\" ws value-items? \"]\"\n", open);
    }

    [Fact]
    public void Enum_literals_are_escaped_for_gbnf_and_keep_unicode_as_is()
    {
        var gbnf = JsonSchemaGrammar.Compile(JsonNode.Parse("""{"enum":["say \"hi\"","back\\slash","tab\there","naïve",{"k":[1,null]}]}""")!);

        Assert.Contains("\"\\\"say \\\\\\\"hi\\\\\\\"\\\"\"", gbnf);
        Assert.Contains("\"\\\"back\\\\\\\\slash\\\"\"", gbnf);
        Assert.Contains("\"\\\"tab\\\\there\\\"\"", gbnf);
        Assert.Contains("\"\\\"naïve\\\"\"", gbnf);
        Assert.Contains("\"{\\\"k\\\":[1,null]}\"", gbnf);
        Assert.True(LlamaAccepts(gbnf));
    }

    [Fact]
    public void Identical_subschemas_share_one_rule()
    {
        var gbnf = JsonSchemaGrammar.Compile(SampleSchemas.Parse("refs-to-defs"));

        Assert.Single(gbnf.Split('\n'), line => line.StartsWith("ref-party ::=", StringComparison.Ordinal));
        Assert.Single(gbnf.Split('\n'), line => line.StartsWith("integer ::=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"type":"integer","minimum":0}""", "'minimum'")]
    [InlineData("""{"type":"number","multipleOf":0.5}""", "'multipleOf'")]
    [InlineData("""{"allOf":[{"type":"string"}]}""", "'allOf'")]
    [InlineData("""{"not":{"type":"string"}}""", "'not'")]
    [InlineData("""{"if":{"type":"string"},"then":{"maxLength":2}}""", "'if'")]
    [InlineData("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", "'patternProperties'")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "'additionalProperties'")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"array","uniqueItems":true}}}""", "'uniqueItems'")]
    [InlineData("""{"type":"array","prefixItems":[{"type":"string"}]}""", "'prefixItems'")]
    [InlineData("""{"type":"string","format":"email"}""", "'format'")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "'$ref'")]
    [InlineData("""{"$ref":"#/$defs/a","type":"string","$defs":{"a":{"type":"string"}}}""", "'type'")]
    [InlineData("""{"type":"object","nullable":true}""", "'nullable'")]
    public void Unsupported_keywords_fail_with_an_error_naming_them(string schema, string keyword)
    {
        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.Compile(JsonNode.Parse(schema)!));

        Assert.Contains(keyword, error.Message);
        Assert.Contains("not supported", error.Message);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}""", "'b'")]
    [InlineData("""{"$ref":"#/$defs/missing","$defs":{}}""", "does not resolve")]
    [InlineData("""{"type":"strnig"}""", "unknown type 'strnig'")]
    [InlineData("""{"type":"object","properties":{"a":false}}""", "#/properties/a is 'false'")]
    [InlineData("""{"type":"array","minItems":5,"maxItems":2}""", "'minItems' 5")]
    [InlineData("""{"type":"string","minLength":9,"maxLength":3}""", "'minLength' 9")]
    [InlineData("""{"type":"string","enum":[1,2]}""", "not of the declared type")]
    [InlineData("""{"anyOf":[]}""", "non-empty array")]
    public void Schemas_no_value_can_satisfy_or_that_cannot_be_read_fail_with_a_clear_error(string schema, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.Compile(JsonNode.Parse(schema)!));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Recursive_references_are_unrolled_a_bounded_number_of_levels()
    {
        var gbnf = JsonSchemaGrammar.Compile(SampleSchemas.Parse("recursive-ref"), new GrammarOptions { MaxRecursionDepth = 2 });
        var rules = gbnf.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(" ::= ", 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

        // Unrolled, the rules no longer refer back to themselves: every derivation has a bounded depth.
        Assert.True(HasCycle(new() { ["a"] = "\"[\" b? \"]\"", ["b"] = "( \"x\" | a )" }));
        Assert.False(HasCycle(rules), gbnf);
        // Two node levels; the deepest one can only have an empty "children" array.
        Assert.Equal(2, rules.Count(r => r.Value.StartsWith("\"{\" ws ref-node-first", StringComparison.Ordinal)));
        Assert.Contains(rules, r => r.Key.StartsWith("ref-node-children", StringComparison.Ordinal) && r.Value == "\"[\" ws \"]\"");
        Assert.True(LlamaAccepts(gbnf), gbnf);
    }

    [Fact]
    public void A_recursion_without_a_way_out_fails_clearly()
    {
        var schema = JsonNode.Parse("""{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}""")!;

        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.Compile(schema));

        Assert.Contains("recursive without a way out", error.Message);
    }

    [Fact]
    public void Property_names_with_odd_characters_make_valid_rule_names()
    {
        var gbnf = JsonSchemaGrammar.Compile(JsonNode.Parse("""
            {"type":"object","properties":{"Ünït price (€)":{"type":"object","properties":{"a/b~c":{"type":"boolean"}}},"":{"type":"null"}}}
            """)!);

        Assert.True(LlamaAccepts(gbnf), gbnf);
        Assert.Contains("\"\\\"Ünït price (€)\\\"\"", gbnf);
    }

    private static bool HasCycle(Dictionary<string, string> rules)
    {
        var state = new Dictionary<string, int>();
        bool Visit(string rule)
        {
            if (state.TryGetValue(rule, out var seen))
            {
                return seen == 1;
            }
            state[rule] = 1;
            var referenced = System.Text.RegularExpressions.Regex.Replace(rules[rule], "\"(\\\\.|[^\"\\\\])*\"|\\[(\\\\.|[^\\]\\\\])*\\]", " ")
                .Split([' ', '(', ')', '|', '?', '{', '}', ','], StringSplitOptions.RemoveEmptyEntries)
                .Where(rules.ContainsKey);
            var cycle = referenced.Any(Visit);
            state[rule] = 2;
            return cycle;
        }
        return rules.Keys.Any(Visit);
    }
}
