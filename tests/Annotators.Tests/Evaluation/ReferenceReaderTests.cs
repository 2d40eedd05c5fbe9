using System.IO.Compression;
using System.Text;
using Annotate.Annotators.Evaluation;

namespace Annotate.Annotators.Tests.Evaluation;

public sealed class ReferenceReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("annotate-refs-").FullName;

    private ReferenceReader Reader(long maxBytes = 1024 * 1024) => new(new EvaluationOptions { MaxReferenceBytes = maxBytes });

    private EvaluationException Refused(Action read)
    {
        var ex = Assert.Throws<EvaluationException>(read);
        // Errors name the file, never a path of this machine.
        Assert.DoesNotContain(_folder, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Reads_values_with_their_kinds_told_from_the_value_or_named()
    {
        File.WriteAllText(Path.Combine(_folder, "a.pdf.json"), """
            { "documentType": "invoice", "fields": { "n": 12, "d": "03/04/2024", "t": "1.190,00 EUR", "s": "Acme", "note": { "value": "Paid late", "kind": "text" }, "gone": null },
              "keyValues": { "iban": "DE89 3704 0044 0532 0130 00" }, "summary": "A short text." }
            """);

        var reference = Assert.Single(Reader().ReadFolder(_folder));

        Assert.Equal("a.pdf", reference.Document);
        Assert.Equal(
            [("documentType", FieldKind.Name), ("fields.n", FieldKind.Number), ("fields.d", FieldKind.Date), ("fields.t", FieldKind.Amount),
             ("fields.s", FieldKind.Name), ("fields.note", FieldKind.Text), ("keyValues.iban", FieldKind.Name), ("summary", FieldKind.Text)],
            reference.Values.Select(v => (v.Field, v.Kind)));
    }

    [Fact]
    public void Reference_over_the_size_limit_fails_naming_it()
    {
        File.WriteAllText(Path.Combine(_folder, "big.json"), "{ \"summary\": \"" + new string('x', 5000) + "\" }");

        var ex = Refused(() => Reader(maxBytes: 1000).ReadFolder(_folder));

        Assert.Contains("'big.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxReferenceBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_fails_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "broken.json"), "{ \"summary\": \"unterminated ");

        var ex = Refused(() => Reader().ReadFolder(_folder));

        Assert.StartsWith("Reference 'broken.json' is not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "document": "../../etc/passwd" }""", "not a plain file name")]
    [InlineData("""{ "document": "a\\b.pdf" }""", "not a plain file name")]
    [InlineData("""{ "summray": "typo" }""", "unknown member 'summray'")]
    [InlineData("""{ "fields": { "total": { "value": 1, "kind": "money" } } }""", "unknown kind")]
    [InlineData("""{ "fields": { "total": [1, 2] } }""", "must be a string, number")]
    [InlineData("""{ "qa": [ { "question": "Q?" } ] }""", "every item of 'qa'")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    public void Bad_reference_fails_with_a_clear_reason(string json, string reason)
    {
        File.WriteAllText(Path.Combine(_folder, "x.json"), json);

        var ex = Refused(() => Reader().ReadFolder(_folder));

        Assert.Contains("'x.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_a_reference_needs_is_refused()
    {
        File.WriteAllText(Path.Combine(_folder, "deep.json"), string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100));

        var ex = Refused(() => Reader().ReadFolder(_folder));

        Assert.Contains("'deep.json' is not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_references_for_one_document_are_refused()
    {
        File.WriteAllText(Path.Combine(_folder, "a.json"), """{ "document": "a.pdf" }""");
        File.WriteAllText(Path.Combine(_folder, "a.pdf.json"), "{}");

        var ex = Refused(() => Reader().ReadFolder(_folder));

        Assert.Contains("'a.json' and 'a.pdf.json' are both for the document 'a.pdf'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbolic_link_is_not_followed()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.json");
        File.WriteAllText(outside, "{}");
        try
        {
            File.CreateSymbolicLink(Path.Combine(_folder, "link.json"), outside);

            var ex = Refused(() => Reader().ReadFolder(_folder));

            Assert.Contains("'link.json' is a symbolic link", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void Zip_entry_with_dot_dot_is_refused_by_name()
    {
        using var zip = Zip(("../escape.json", "{}"));

        var ex = Refused(() => Reader().ReadZip(zip));

        Assert.Contains("'../escape.json' is not a plain file name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_entry_inflating_past_the_limit_is_refused()
    {
        using var zip = Zip(("bomb.json", "{ \"summary\": \"" + new string('a', 200_000) + "\" }"));

        var ex = Refused(() => Reader(maxBytes: 10_000).ReadZip(zip));

        Assert.Contains("'bomb.json' is over the limit of 10,000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_and_object_forms_read_like_a_folder()
    {
        using var zip = Zip(("a.pdf.json", """{ "documentType": "invoice" }"""), ("readme.txt", "ignored"));
        var fromZip = Assert.Single(Reader().ReadZip(zip));
        var fromObject = Assert.Single(Reader().ReadObject("""{ "references": { "a.pdf": { "documentType": "invoice" } } }"""u8));

        Assert.Equal(("a.pdf", "invoice"), (fromZip.Document, fromZip.Values[0].Value));
        Assert.Equal(("a.pdf", "invoice"), (fromObject.Document, fromObject.Values[0].Value));
    }

    [Fact]
    public void Not_a_zip_fails_clearly()
    {
        using var notZip = new MemoryStream(Encoding.UTF8.GetBytes("{ \"a\": 1 }"));

        var ex = Refused(() => Reader().ReadZip(notZip));

        Assert.StartsWith("The references are not a readable zip", ex.Message, StringComparison.Ordinal);
    }

    private static MemoryStream Zip(params (string Name, string Text)[] entries)
    {
        var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(text);
            }
        }
        stream.Position = 0;
        return stream;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
