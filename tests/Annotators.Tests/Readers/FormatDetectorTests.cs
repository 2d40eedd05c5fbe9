using System.IO.Compression;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers;

public class FormatDetectorTests
{
    private readonly FormatDetector _detector = new();

    [Theory]
    [InlineData("pdf/multicolumn.pdf", SourceFormat.Pdf)]
    [InlineData("pdf/google-doc-document.pdf", SourceFormat.Pdf)]
    [InlineData("xlsx/UsingTables.xlsx", SourceFormat.Xlsx)]
    public void Corpus_files_are_detected_from_their_bytes_even_with_a_misleading_name(string file, SourceFormat expected)
    {
        var source = new DocumentSource(TestFiles.Corpus(file), "renamed.txt");
        Assert.Equal(expected, _detector.Detect(source));
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n4,5,6\n", "data.txt", SourceFormat.Csv)]
    [InlineData("a;b\n1;2\n", "export", SourceFormat.Csv)]
    [InlineData("name\tage\nAnn\t3\n", "x.tsv", SourceFormat.Csv)]
    [InlineData("# Title\n\nSome text.\n\n- one\n- two\n", "notes.txt", SourceFormat.Markdown)]
    [InlineData("Dear Sir, the meeting is on Monday.\nKind regards", "letter.csv", SourceFormat.Text)]
    [InlineData("plain words", "readme.md", SourceFormat.Markdown)]
    public void Text_formats_are_sniffed_from_content(string content, string name, SourceFormat expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("f"), content);
        Assert.Equal(expected, _detector.Detect(new DocumentSource(dir.File("f"), name)));
    }

    [Fact]
    public void Empty_file_fails_with_reason_empty()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("e.pdf"), []);
        var ex = Assert.Throws<AnnotationException>(() => _detector.Detect(new DocumentSource(dir.File("e.pdf"), "e.pdf")));
        Assert.Equal(FailureReason.Empty, ex.Reason);
        Assert.Contains("e.pdf", ex.Message);
    }

    [Fact]
    public void Binary_garbage_fails_with_unknown_format_naming_the_file()
    {
        using var dir = new TempDir();
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x00;
        File.WriteAllBytes(dir.File("blob.bin"), bytes);
        var ex = Assert.Throws<AnnotationException>(() => _detector.Detect(new DocumentSource(dir.File("blob.bin"), "blob.bin")));
        Assert.Equal(FailureReason.UnknownFormat, ex.Reason);
        Assert.Contains("blob.bin", ex.Message);
    }

    [Fact]
    public void Truncated_workbook_fails_as_corrupt()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestFiles.Corpus("xlsx/UsingTables.xlsx"));
        File.WriteAllBytes(dir.File("cut.xlsx"), bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<AnnotationException>(() => _detector.Detect(new DocumentSource(dir.File("cut.xlsx"), "cut.xlsx")));
        Assert.Equal(FailureReason.Corrupt, ex.Reason);
    }

    [Fact]
    public void Zip_that_is_no_office_document_is_an_archive_of_documents()
    {
        using var dir = new TempDir();
        using (var zip = ZipFile.Open(dir.File("a.zip"), ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("hello.txt").Open());
            writer.Write("hi");
        }
        Assert.Equal(SourceFormat.Zip, _detector.Detect(new DocumentSource(dir.File("a.zip"), "a.zip")));
    }

    [Theory]
    [InlineData("mail.eml", "From: Jane Doe <jane@example.com>\r\nTo: bob@example.com\r\nSubject: Invoice\r\nDate: Fri, 15 Mar 2024 09:30:00 +0100\r\n\r\nHello Bob.\r\n", SourceFormat.Eml)]
    [InlineData("mail.txt", "Received: from mx.example.com\r\n\tby mx2.example.com; Fri, 15 Mar 2024 09:30:00 +0100\r\nFrom: jane@example.com\r\nMIME-Version: 1.0\r\n\r\nHi\r\n", SourceFormat.Eml)]
    [InlineData("note.txt", "From: the desk of Jane\nPlease call me back about the invoice.\n", SourceFormat.Text)]
    [InlineData("note.txt", "Subject: lunch\nWho is in?\n", SourceFormat.Text)]
    public void An_email_is_told_from_its_header_fields_and_a_note_starting_with_from_stays_text(string name, string text, SourceFormat expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(name), text);
        Assert.Equal(expected, _detector.Detect(new DocumentSource(dir.File(name), name)));
    }
}
