using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Geometry;
using UglyToad.PdfPig.Graphics;
using UglyToad.PdfPig.Graphics.Operations;
using UglyToad.PdfPig.Logging;
using UglyToad.PdfPig.Outline.Destinations;
using UglyToad.PdfPig.Parser;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfContentParserTests
{
    private static readonly ParsingOptions Parsing = new() { UseLenientParsing = true, SkipMissingFonts = true };

    [Theory]
    [MemberData(nameof(PdfPageReaderTests.CorpusPdfs), MemberType = typeof(PdfPageReaderTests))]
    public void Every_content_stream_of_the_corpus_parses_to_pdfpig_s_operations(string file)
    {
        var streams = ContentStreams(File.ReadAllBytes(TestFiles.Corpus("pdf/" + file)));

        var parsedHere = streams.Count(stream => AssertSameAsPdfPig(stream));

        Assert.NotEmpty(streams);
        // The corpus is plain: its streams are parsed here, not handed to PdfPig.
        Assert.Equal(streams.Count, parsedHere);
    }

    [Fact]
    public void Streams_pdfpig_s_writer_makes_parse_to_pdfpig_s_operations()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(595, 842);
        page.AddText("Text with (brackets), a back\\slash", 11, new PdfPoint(60, 700), font);
        page.SetStrokeColor(200, 10, 10);
        page.DrawRectangle(new PdfPoint(50, 50), 100, 40, 1.5);
        page.DrawLine(new PdfPoint(10, 10), new PdfPoint(300.25, 400.125), 0.5);
        page.SetTextAndFillColor(0, 120, 255);
        page.AddText("-0.5 and .25 as text", 9.75, new PdfPoint(60.5, 600.75), font);

        foreach (var stream in ContentStreams(builder.Build()))
        {
            Assert.True(AssertSameAsPdfPig(stream));
        }
    }

    [Theory]
    [InlineData("BT /F1 12 Tf 72 720 Td (Hello) Tj ET")]
    [InlineData("BT /F1 12 Tf 1 0 0 1 72 720 Tm [(A) -250.5 (B) 3 (C\\051\\(\\)) .5 (D)] TJ T* (x) ' 1 2 (y) \" ET")]
    [InlineData("q 0.5 0 0 -0.5 -10.25 .75 cm 1 0 0 rg 0 0 1 RG 2 w 0 0 m 10 10 l 5 5 10 10 re f S Q")]
    [InlineData("/Span <</MCID 3 /ActualText (fi) /Lang (en) /Nested <</A [1 2 /B]>>>> BDC BT /F1 9 Tf (\\146\\151) Tj ET EMC")]
    [InlineData("/P <</MCID 0>> BDC BT /F1 9 Tf <48 65 6c 6C 6F> Tj <> Tj (\\101\\1010\\7) Tj (a\\\nb\\\r\nc) Tj (\\q\\n\\t\\b\\f\\r) Tj ET EMC")]
    [InlineData("BT /F1 12 Tf (open (nested) close) Tj 12.123456789012 0 Td (t) Tj -0.000 -1. Td ET")]
    [InlineData("/GS1 gs /Im1 Do /CS0 cs 0.1 0.2 0.3 scn /P1 scn 0 J 1 j 4 M [3 1] 0 d true false null")]
    [InlineData("BT /F1 12 Tf 100 700 Td (unknown operator follows) Tj xyz 3 Tz ET")]
    [InlineData("")]
    public void A_plain_stream_is_parsed_here_to_pdfpig_s_operations(string content)
    {
        Assert.True(AssertSameAsPdfPig(Encoding.Latin1.GetBytes(content)));
    }

    [Theory]
    [InlineData("BI /W 2 /H 1 /BPC 8 /CS /G ID \u0001\u0002 EI Q")]
    [InlineData("% a comment\nBT /F1 12 Tf (x) Tj ET")]
    [InlineData("BT /F1 1.5e1 Tf (x) Tj ET")]
    [InlineData("BT /F1 12 Tf 72 7-20 Td (x) Tj ET")]
    [InlineData("BT /F#31 12 Tf (x) Tj ET")]
    [InlineData("BT /F1 12 Tf (\u00fe\u00ff\u0000A) Tj ET")]
    [InlineData("BT /F1 12 Tf (x)\r/F1 10 Tf (y) Tj ET")]
    [InlineData("BT /F1 12 Tf (a\\)\r/F1 b) Tj ET")]
    [InlineData("BT /F1 12 Tf (unterminated Tj ET")]
    [InlineData("BT /F1 12 Tf <4G> Tj ET")]
    [InlineData("/P <</MCID 1 0 R>> BDC EMC")]
    [InlineData("BT /F1 12 Tf [(a) 1 R] TJ ET")]
    [InlineData("BT /F1 Tf ET")]
    [InlineData("BT /F1 12 Tf\u0001(x) Tj ET")]
    [InlineData("1 2 inf 3 4 re f")]
    [InlineData("BT /F1 12 Tf (x) Tj ] ET")]
    public void A_stream_with_anything_pdfpig_reads_by_its_own_rules_is_handed_to_pdfpig(string content)
    {
        Assert.False(AssertSameAsPdfPig(Encoding.Latin1.GetBytes(content)));
    }

    [Theory]
    [InlineData("BT /F1 12 Tf 72 720 Td (Hello) Tj ET")]
    [InlineData("% a comment\nBT /F1 12 Tf (x) Tj ET")]
    public void A_stream_read_through_another_kind_of_input_parses_the_same(string content)
    {
        var bytes = Encoding.Latin1.GetBytes(content);
        var expected = Describe(PdfPigParser().Parse(1, new MemoryInputBytes(bytes), Parsing.Logger));

        // PdfPig's memory input is read in place; any other input is copied first.
        Assert.True(PdfContentParser.ReadsInPlace);
        using var stream = new MemoryStream(bytes);
        Assert.Equal(expected, Describe(new PdfContentParser(PdfPigParser()).Parse(1, new StreamInputBytes(stream), Parsing.Logger)));
    }

    [Fact]
    public void Nesting_past_the_bound_is_handed_to_pdfpig()
    {
        var deep = "/P <</A " + new string('[', 40) + "(x)" + new string(']', 40) + ">> BDC EMC";
        var shallow = "/P <</A " + new string('[', 20) + "(x)" + new string(']', 20) + ">> BDC EMC";

        Assert.False(AssertSameAsPdfPig(Encoding.Latin1.GetBytes(deep)));
        Assert.True(AssertSameAsPdfPig(Encoding.Latin1.GetBytes(shallow)));
    }

    [Fact]
    public void Random_streams_of_content_tokens_parse_to_pdfpig_s_operations_wherever_they_are_parsed_here()
    {
        // Operations of every kind, now and then an operand or operator out of place, in random order and number, joined by
        // random white space: what PdfPig makes of them (including what its factory refuses) is what this parser makes of
        // them or hands it.
        string[] pieces =
        [
            "BT", "ET", "/F1 12 Tf", "/LongerName12 9.5 Tf", "72 720 Td", "-1.5 .25 TD", "1 0 0 1 50.125 -50 Tm", "T*", "(text) Tj",
            "(a\\)b) Tj", "(\\101\\102\\7) Tj", "(x(y)z) '", "1 2 (y) \"", "<414243> Tj", "< 41 42 > Tj", "<> Tj",
            "<FEFF0041 00 42> Tj", "<4 1 42 0> Tj", "<00410042> Tj", "<abcdefABCDEF0> Tj", "[<feff00e9> 5 <0041>] TJ",
            "[(a) -120 (b) .5 (c)] TJ", "[] TJ", "q", "Q", "0.5 0 0 0.5 0 0 cm", "10 10 100 50 re", "f", "S", "1 0 0 rg", "0 0 1 RG",
            "0.5 g", "/P <</MCID 4>> BDC", "/Span <</A (b) /C [1 [2 /N]] /D <</E true /F null>>>> BDC", "/P <<>> BDC", "EMC",
            "/Im1 Do", "/GS1 gs", "-1 Tc", ".5 Tw", "90 Tz", "12 TL", "[3 1] 0 d", "2 w", "0.1 0.2 0.3 scn", "/P1 scn", "xyz",
            "-0", "12.5", "/Name", "true", "null", "(stray)",
        ];
        string[] spaces = [" ", "  ", "\n", "\r\n", "\t", " \n "];
        var random = new Random(1234);
        var parsedHere = 0;
        for (var i = 0; i < 2000; i++)
        {
            var content = new StringBuilder();
            for (var j = random.Next(1, 30); j > 0; j--)
            {
                content.Append(pieces[random.Next(pieces.Length)]).Append(spaces[random.Next(spaces.Length)]);
            }
            if (AssertSameAsPdfPig(Encoding.Latin1.GetBytes(content.ToString())))
            {
                parsedHere++;
            }
        }
        // Both ways were taken: most streams parsed here, those with an operation out of place handed to PdfPig.
        Assert.InRange(parsedHere, 500, 1900);
    }

    [Fact]
    public void A_hexadecimal_string_is_the_token_pdfpig_makes_of_its_digits()
    {
        Assert.True(PdfContentParser.HexFieldsFound);
        var random = new Random(99);
        const string Digits = "0123456789abcdefABCDEF";
        for (var i = 0; i < 3000; i++)
        {
            // Odd and even lengths, zero bytes, strings marked UTF-16 and white space between the digits.
            var digits = new StringBuilder(i % 7 == 0 ? "FEFF" : "");
            for (var j = random.Next(0, 24); j > 0; j--)
            {
                digits.Append(random.Next(5) == 0 ? '0' : Digits[random.Next(Digits.Length)]);
            }
            var spaced = string.Concat(digits.ToString().Select(c => random.Next(6) == 0 ? c + " \n" : c.ToString()));

            var made = PdfContentParser.Reader.HexOf(Encoding.Latin1.GetBytes(spaced));
            var pdfPig = new HexToken(digits.Length == 0 ? string.Empty.AsSpan() : digits.ToString().AsSpan());

            Assert.Equal((Convert.ToHexString(pdfPig.Bytes), pdfPig.Data), (Convert.ToHexString(made.Bytes), made.Data));
        }
    }

    [Fact]
    public void Streams_of_random_bytes_give_what_pdfpig_gives_or_the_same_failure()
    {
        // Content tokens cut and spliced with random bytes: whatever PdfPig makes of each (operations or an exception),
        // this parser makes the same.
        var random = new Random(4321);
        var seed = Encoding.Latin1.GetBytes("BT /F1 12 Tf 72 720 Td [(a\\)b) -120 <4142> (\\101)] TJ /P <</MCID 4 /A [1 2]>> BDC (x) Tj EMC 0.5 g ET");
        for (var i = 0; i < 3000; i++)
        {
            var bytes = seed.ToArray();
            for (var j = random.Next(1, 6); j > 0; j--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var cut = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();

            Assert.Equal(Outcome(PdfPigParser(), cut), Outcome(new PdfContentParser(PdfPigParser()), cut));
        }
    }

    private static string Outcome(IPageContentParser parser, byte[] stream)
    {
        try
        {
            return Describe(parser.Parse(1, new MemoryInputBytes(stream), Parsing.Logger));
        }
        catch (Exception ex)
        {
            return "failed: " + ex.GetType().Name;
        }
    }

    /// <summary>
    /// Parses <paramref name="stream"/> with PdfPig's parser and with <see cref="PdfContentParser"/> and asserts the same
    /// operations, field by field; true when it was parsed here rather than handed to PdfPig.
    /// </summary>
    private static bool AssertSameAsPdfPig(byte[] stream)
    {
        var expected = Describe(PdfPigParser().Parse(1, new MemoryInputBytes(stream), Parsing.Logger));
        var parser = new PdfContentParser(PdfPigParser());
        var actual = Describe(parser.Parse(1, new MemoryInputBytes(stream), Parsing.Logger));

        Assert.Equal(expected, actual);
        Assert.Equal(1, parser.Parsed + parser.HandedOver);
        return parser.Parsed == 1;
    }

    private static PageContentParser PdfPigParser() =>
        new(ReflectionGraphicsStateOperationFactory.Instance, new StackDepthGuard(Parsing.MaxStackDepth), useLenientParsing: true);

    private static string Describe(IReadOnlyList<IGraphicsStateOperation> operations)
    {
        var text = new StringBuilder();
        foreach (var operation in operations)
        {
            text.Append(operation.GetType().Name);
            foreach (var property in operation.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                if (property.GetIndexParameters().Length == 0 && !property.PropertyType.IsByRefLike)
                {
                    text.Append(' ').Append(property.Name).Append('=').Append(Value(property.GetValue(operation)));
                }
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Value(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        ReadOnlyMemory<byte> bytes => Convert.ToHexString(bytes.Span),
        Memory<byte> bytes => Convert.ToHexString(bytes.Span),
        byte[] bytes => Convert.ToHexString(bytes),
        NumericToken n => "n" + n.Data.ToString("R", CultureInfo.InvariantCulture),
        StringToken s => $"s{s.EncodedWith}\"{s.Data}\"",
        HexToken h => "h" + Convert.ToHexString(h.Bytes) + "\"" + h.Data + "\"",
        NameToken n => "/" + n.Data,
        BooleanToken b => b.Data ? "true" : "false",
        NullToken => "nulltoken",
        ArrayToken a => "[" + string.Join(' ', a.Data.Select(Value)) + "]",
        DictionaryToken d => "<<" + string.Join(' ', d.Data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => "/" + p.Key + " " + Value(p.Value))) + ">>",
        IToken t => t.GetType().Name + ":" + t,
        IEnumerable items => "[" + string.Join(' ', items.Cast<object?>().Select(Value)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The decoded content stream of every page of <paramref name="pdf"/>, as PdfPig hands it to its parser.</summary>
    private static List<byte[]> ContentStreams(byte[] pdf)
    {
        Recorder.Streams = [];
        using var document = PdfDocument.Open(pdf, Parsing);
        document.AddPageFactory<RecordedPage, Recorder>();
        for (var number = 1; number <= document.NumberOfPages; number++)
        {
            document.GetPage<RecordedPage>(number);
        }
        return Recorder.Streams;
    }

    private sealed class RecordedPage;

    private sealed class Recorder(IPdfTokenScanner pdfScanner, IResourceStore resourceStore, ILookupFilterProvider filterProvider,
        IPageContentParser pageContentParser, ParsingOptions parsingOptions)
        : BasePageFactory<RecordedPage>(pdfScanner, resourceStore, filterProvider, new RecordingParser(pageContentParser), parsingOptions)
    {
        [ThreadStatic]
        public static List<byte[]>? Streams;

        protected override RecordedPage ProcessPage(int pageNumber, DictionaryToken dictionary, NamedDestinations namedDestinations,
            MediaBox mediaBox, CropBox cropBox, UserSpaceUnit userSpaceUnit, PageRotationDegrees rotation, TransformationMatrix initialMatrix,
            IReadOnlyList<IGraphicsStateOperation> operations) => new();
    }

    private sealed class RecordingParser(IPageContentParser inner) : IPageContentParser
    {
        public IReadOnlyList<IGraphicsStateOperation> Parse(int pageNumber, IInputBytes inputBytes, ILog log)
        {
            var bytes = new byte[inputBytes.Length];
            inputBytes.Seek(0);
            inputBytes.Read(bytes);
            inputBytes.Seek(0);
            Recorder.Streams!.Add(bytes);
            return inner.Parse(pageNumber, inputBytes, log);
        }
    }
}
