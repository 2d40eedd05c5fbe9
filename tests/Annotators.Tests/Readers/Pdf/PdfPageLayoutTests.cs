using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfPageLayoutTests
{
    private static readonly string[] Left =
    [
        "Alpha one begins the left column here",
        "alpha two continues the left column",
        "alpha three continues the left column",
        "alpha four continues the left column",
        "alpha five continues the left column",
        "alpha six continues the left column",
        "alpha seven ends the left column.",
    ];

    private static readonly string[] Right =
    [
        "Beta one begins the right column here",
        "beta two continues the right column",
        "beta three continues the right column",
        "beta four continues the right column",
        "beta five continues the right column",
        "beta six continues the right column",
        "beta seven ends the right column.",
    ];

    [Fact]
    public void Two_columns_are_read_one_after_the_other_with_their_lines_in_order()
    {
        var page = Analyse(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            for (var i = 0; i < Left.Length; i++)
            {
                // Lines of both columns drawn in turn, as a producer writing row by row would: the order must come from the layout.
                page.AddText(Left[i], 10, new PdfPoint(60, 700 - (i * 12)), font);
                page.AddText(Right[i], 10, new PdfPoint(320, 700 - (i * 12)), font);
            }
        });

        var lines = page.Regions.SelectMany(r => r.Lines).Select(l => l.Text).ToList();

        Assert.Equal([.. Left, .. Right], lines);
    }

    [Theory]
    [InlineData(1_000, 2)]
    // 8,281 candidate gutters (words across 13,800 points) × 9,000 lines is past the bound of states searched: one region.
    [InlineData(9_000, 1)]
    public void Columns_are_searched_for_within_a_bound_and_a_region_past_it_is_one_column(int lines, int regions)
    {
        var words = new List<PdfWord>(lines * 2);
        for (var i = 0; i < lines; i++)
        {
            var baseline = 100_000 - (i * 12.0);
            words.Add(Word(100, 6_000, baseline));
            words.Add(Word(8_000, 13_900, baseline));
        }

        var found = PdfColumns.Split(words);

        Assert.Equal(regions, found.Count);
        Assert.Equal(words.Count, found.Sum(r => r.Count));

        static PdfWord Word(double left, double right, double baseline) => new()
        {
            Text = "word",
            Left = left,
            Right = right,
            Bottom = baseline,
            Top = baseline + 10,
            Baseline = baseline,
            FontSize = 10,
            Glyphs = 4,
            PageBox = new PageBox(left, baseline, right, baseline + 10),
        };
    }

    [Fact]
    public void A_bold_heading_is_its_own_region_above_the_body_text()
    {
        var page = Analyse(builder =>
        {
            var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
            var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
            var page = builder.AddPage(595, 842);
            page.AddText("Results of the survey", 16, new PdfPoint(72, 760), bold);
            page.AddText("Most people answered every question of the survey,", 11, new PdfPoint(72, 736), regular);
            page.AddText("and a few left the last page empty.", 11, new PdfPoint(72, 722), regular);
        });

        Assert.Equal(2, page.Regions.Count);
        var heading = page.Regions[0];
        Assert.Equal("Results of the survey", heading.Text);
        Assert.True(heading.Bold);
        Assert.Equal(16, heading.FontSize, 1);
        var body = page.Regions[1];
        Assert.Equal(["Most people answered every question of the survey,", "and a few left the last page empty."], body.Lines.Select(l => l.Text));
        Assert.False(body.Bold);
        Assert.Equal(11, page.BodyFontSize);
    }

    [Fact]
    public async Task Blocks_end_at_wide_line_spacing_and_a_list_follows_its_paragraph()
    {
        var document = await Read(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            page.AddText("The plan has three parts, agreed by the board:", 11, new PdfPoint(72, 760), font);
            page.AddText("they start in spring and end in autumn.", 11, new PdfPoint(72, 746), font);
            page.AddText("1. Hire two engineers", 11, new PdfPoint(72, 714), font);
            page.AddText("2. Move the servers", 11, new PdfPoint(72, 700), font);
            page.AddText("3. Close the old office", 11, new PdfPoint(72, 686), font);
        });

        Assert.Equal(2, document.Blocks.Count);
        var paragraph = Assert.IsType<ParagraphBlock>(document.Blocks[0]);
        Assert.Equal("The plan has three parts, agreed by the board: they start in spring and end in autumn.", paragraph.Content);
        var list = Assert.IsType<ListBlock>(document.Blocks[1]);
        Assert.True(list.Ordered);
        Assert.Equal(["Hire two engineers", "Move the servers", "Close the old office"], list.Items);
    }

    [Fact]
    public async Task A_word_hyphenated_at_the_end_of_a_line_is_joined_again()
    {
        var document = await Read(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            page.AddText("The second measurement confirmed the experi-", 11, new PdfPoint(72, 760), font);
            page.AddText("ment and the team published it in May.", 11, new PdfPoint(72, 746), font);
        });

        var paragraph = Assert.IsType<ParagraphBlock>(Assert.Single(document.Blocks));
        Assert.Equal("The second measurement confirmed the experiment and the team published it in May.", paragraph.Content);
    }

    [Fact]
    public void Words_set_far_apart_on_one_baseline_are_one_line_with_single_spaces()
    {
        var page = Analyse(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            // Each word placed on its own, with gaps of two to four font sizes (loosely justified text, a form).
            var x = 72.0;
            foreach (var word in new[] { "Invoice", "total", "due", "on", "delivery" })
            {
                var letters = page.AddText(word, 10, new PdfPoint(x, 700), font);
                x = letters[^1].EndBaseLine.X + 20 + (word.Length * 2);
            }
        });

        var line = Assert.Single(Assert.Single(page.Regions).Lines);
        Assert.Equal("Invoice total due on delivery", line.Text);
        Assert.Equal(["Invoice", "total", "due", "on", "delivery"], page.Words.Select(w => w.Text));
    }

    [Fact]
    public void Words_of_text_without_space_glyphs_are_split_at_their_gaps_and_boxed()
    {
        var page = Analyse(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            // pdfTeX draws no space glyphs: words are set apart by moving the pen only.
            var x = 72.0;
            foreach (var word in new[] { "No", "spaces", "drawn", "here" })
            {
                var letters = page.AddText(word, 10, new PdfPoint(x, 700), font);
                x = letters[^1].EndBaseLine.X + 3;
            }
        });

        Assert.Equal("No spaces drawn here", Assert.Single(Assert.Single(page.Regions).Lines).Text);
        var words = page.Words;
        Assert.Equal(4, words.Count);
        Assert.All(words, w => Assert.Equal(700, w.Box.Bottom, 3)); // boxed from the baseline up
        Assert.All(words.Zip(words.Skip(1)), pair => Assert.True(pair.First.Box.Right < pair.Second.Box.Left, $"{pair.First.Text} ends before {pair.Second.Text}"));
    }

    [Fact]
    public void A_page_number_in_the_margin_is_not_content_but_its_word_is_kept()
    {
        var page = Analyse(builder =>
        {
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            var page = builder.AddPage(595, 842);
            page.AddText("A page with one line of text.", 11, new PdfPoint(72, 760), font);
            page.AddText("- 7 -", 9, new PdfPoint(290, 40), font);
        });

        Assert.Equal("A page with one line of text.", Assert.Single(page.Regions).Text);
        Assert.Contains(page.Words, w => w.Text == "7");
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public async Task A_rotated_page_reads_as_an_upright_one(int degrees)
    {
        var document = await Read(builder =>
        {
            var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
            var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
            var page = builder.AddPage(842, 595);
            // PdfPig turns the letters with the page: they come as text going down, upside down or going up.
            page.SetRotation(new PageRotationDegrees(degrees));
            page.AddText("Shipping summary", 18, new PdfPoint(72, 520), bold);
            page.AddText("Every parcel left the warehouse on the day it was ordered,", 11, new PdfPoint(72, 490), regular);
            page.AddText("and none of them came back damaged.", 11, new PdfPoint(72, 476), regular);
        });

        Assert.Equal(new HeadingBlock(1, "Shipping summary") { Location = new SourceLocation { Page = 1, Block = 0 } }, document.Blocks[0]);
        var paragraph = Assert.IsType<ParagraphBlock>(document.Blocks[1]);
        Assert.Equal("Every parcel left the warehouse on the day it was ordered, and none of them came back damaged.", paragraph.Content);
        Assert.Equal(2, document.Blocks.Count);
    }

    [Fact]
    public async Task LaTeX_paragraphs_split_at_their_indent_and_columns_do_not_mix()
    {
        var document = await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(
            new DocumentSource(TestFiles.Corpus("pdf/multicolumn.pdf"), "multicolumn.pdf"), CancellationToken.None);

        var paragraphs = document.Blocks.OfType<ParagraphBlock>().Select(b => b.Content).ToList();
        // The abstract's one sentence and the first paragraph after it are set without space between them, the second
        // indented: two paragraphs.
        Assert.Contains("This is a sample document with two columns filled with Lorem Ipsum text.", paragraphs);
        var first = Assert.Single(paragraphs, p => p.StartsWith("Lorem ipsum dolor sit amet, consectetuer", StringComparison.Ordinal));
        // A line of the right column is not spliced into the left one's ("gravida Nam arcu ... conmauris.").
        Assert.Contains("Curabitur dictum gravida mauris. Nam arcu libero, nonummy eget, consectetuer id, vulputate a, magna.", first);
        Assert.EndsWith("Duis eget orci sit amet orci dignissim rutrum.", first);
    }

    private static byte[] Build(Action<PdfDocumentBuilder> draw)
    {
        var builder = new PdfDocumentBuilder();
        draw(builder);
        return builder.Build();
    }

    private static PdfPageText Analyse(Action<PdfDocumentBuilder> draw)
    {
        using var pdf = PdfDocument.Open(Build(draw));
        return PdfPageLayout.Analyse(pdf, 1);
    }

    private static async Task<Document> Read(Action<PdfDocumentBuilder> draw)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("page.pdf"), Build(draw));
        return await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(new DocumentSource(dir.File("page.pdf"), "page.pdf"), CancellationToken.None);
    }
}
