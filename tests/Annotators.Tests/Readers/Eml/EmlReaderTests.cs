using System.Security.Cryptography;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Eml;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Annotate.Annotators.Tests.Readers.Eml;

public class EmlReaderTests
{
    [Fact]
    public async Task Headers_become_properties_the_text_body_the_content_and_each_attachment_a_part()
    {
        using var dir = new TempDir();
        var pdf = TestFiles.Corpus("pdf/pdflatex-4-pages.pdf");
        var xlsx = TestFiles.Corpus("xlsx/UsingTables.xlsx");
        var message = Message("Invoice 2024-0042");
        var body = new BodyBuilder
        {
            TextBody = "Dear Bob,\n\nplease find invoice 2024-0042 attached; the total is EUR 1,250.00.\n",
            HtmlBody = "<html><body><p>Dear Bob, the <b>HTML alternative</b>.</p></body></html>",
        };
        body.Attachments.Add(pdf);
        body.Attachments.Add(xlsx);
        message.Body = body.ToMessageBody();
        var source = Write(dir, "mail.eml", message) with { PartsDirectory = dir.File("parts") };

        var document = await Reader().ReadAsync(source, CancellationToken.None);

        var email = document.Properties.Email!;
        Assert.Equal(["Jane Doe <jane@acme.example>"], email.From);
        Assert.Equal(["Bob Miller <bob@customer.example>"], email.To);
        Assert.Equal(["carol@customer.example"], email.Cc);
        Assert.Equal("Invoice 2024-0042", email.Subject);
        Assert.Equal("inv-42@acme.example", email.MessageId);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 9, 30, 0, TimeSpan.FromHours(1)), email.Date);
        Assert.Equal("Invoice 2024-0042", document.Properties.Title);
        var text = string.Join("\n", document.Blocks.Select(b => b.Text));
        Assert.Contains("please find invoice 2024-0042 attached", text);
        Assert.DoesNotContain("HTML alternative", text);
        Assert.Contains("From: Jane Doe <jane@acme.example>", text);
        Assert.Collection(document.Parts,
            p => AssertPart(p, "pdflatex-4-pages.pdf", pdf),
            p => AssertPart(p, "UsingTables.xlsx", xlsx));
        Assert.Empty(document.Notices);
    }

    [Fact]
    public async Task An_email_with_only_an_html_body_is_read_the_way_a_web_page_is()
    {
        using var dir = new TempDir();
        var message = Message("Newsletter");
        message.Body = new TextPart("html") { Text = "<html><body><nav>Home | Shop</nav><main><h1>Spring prices</h1><p>Pumps from EUR 99.</p></main></body></html>" };

        var document = await Reader().ReadAsync(Write(dir, "news.eml", message), CancellationToken.None);

        var text = string.Join("\n", document.Blocks.Select(b => b.Text));
        Assert.Contains("Spring prices", text);
        Assert.Contains("Pumps from EUR 99.", text);
        Assert.DoesNotContain("Home | Shop", text);
        Assert.Empty(document.Parts);
    }

    [Fact]
    public async Task An_attached_email_is_handed_on_as_an_eml_of_its_own()
    {
        using var dir = new TempDir();
        var inner = Message("Original order");
        inner.Body = new TextPart("plain") { Text = "Order 4411: ten pumps." };
        var message = Message("Fwd: Original order");
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "See below." }, new MessagePart { Message = inner } };
        var source = Write(dir, "fwd.eml", message) with { PartsDirectory = dir.File("parts") };

        var document = await Reader().ReadAsync(source, CancellationToken.None);

        var part = Assert.Single(document.Parts);
        Assert.Equal("Original order.eml", part.Name);
        var attached = await MimeMessage.LoadAsync(part.StagedPath!);
        Assert.Equal("Order 4411: ten pumps.", attached.TextBody?.Trim());
    }

    [Fact]
    public async Task Mime_nested_past_the_limit_is_not_read_and_a_notice_says_so()
    {
        using var dir = new TempDir();
        var message = Message("Deep");
        MimeEntity entity = new TextPart("plain") { Text = "deep inside" };
        for (var i = 0; i < 10; i++)
        {
            entity = new Multipart("mixed") { entity };
        }
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "On top." }, entity };

        var document = await Reader(new ContainerOptions { MaxMimeDepth = 4 }).ReadAsync(Write(dir, "deep.eml", message), CancellationToken.None);

        Assert.Contains(document.Notices, n => n.Code == EmlReader.MimeTooDeepNotice && n.Message.Contains("deep.eml", StringComparison.Ordinal));
        Assert.Contains("On top.", string.Join("\n", document.Blocks.Select(b => b.Text)));
    }

    [Fact]
    public async Task Header_fields_over_the_limit_fail_as_too_large_naming_the_file()
    {
        using var dir = new TempDir();
        var message = Message(new string('x', 8000));
        message.Body = new TextPart("plain") { Text = "Hi" };

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            Reader(new ContainerOptions { MaxHeaderBytes = 4096 }).ReadAsync(Write(dir, "huge.eml", message), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'huge.eml'", ex.Message);
        Assert.Contains("MaxHeaderBytes", ex.Message);
    }

    [Fact]
    public async Task More_mime_parts_than_allowed_fail_as_too_large()
    {
        using var dir = new TempDir();
        var message = Message("Many");
        var mixed = new Multipart("mixed");
        for (var i = 0; i < 30; i++)
        {
            mixed.Add(new TextPart("plain") { Text = $"part {i}" });
        }
        message.Body = mixed;

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            Reader(new ContainerOptions { MaxMimeParts = 20 }).ReadAsync(Write(dir, "many.eml", message), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("MaxMimeParts", ex.Message);
    }

    [Fact]
    public async Task Attachment_names_with_paths_and_control_characters_are_made_safe()
    {
        using var dir = new TempDir();
        var message = Message("Names");
        var attachment = new MimePart("text", "plain")
        {
            Content = new MimeContent(new MemoryStream("payload"u8.ToArray())),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "../../etc/pass\u202Ewd\u0007.txt",
        };
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "Body." }, attachment };
        var source = Write(dir, "names.eml", message) with { PartsDirectory = dir.File("parts") };

        var document = await Reader().ReadAsync(source, CancellationToken.None);

        var part = Assert.Single(document.Parts);
        Assert.Equal("pass_wd_.txt", part.Name);
        Assert.StartsWith(dir.File("parts"), part.StagedPath);
        Assert.Equal("payload", await File.ReadAllTextAsync(part.StagedPath!));
    }

    internal static MimeMessage Message(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jane Doe", "jane@acme.example"));
        message.To.Add(new MailboxAddress("Bob Miller", "bob@customer.example"));
        message.Cc.Add(MailboxAddress.Parse("carol@customer.example"));
        message.Subject = subject;
        message.MessageId = "inv-42@acme.example";
        message.Date = new DateTimeOffset(2024, 3, 15, 9, 30, 0, TimeSpan.FromHours(1));
        return message;
    }

    private static DocumentSource Write(TempDir dir, string name, MimeMessage message)
    {
        message.WriteTo(dir.File(name));
        return new DocumentSource(dir.File(name), name);
    }

    private static EmlReader Reader(ContainerOptions? options = null) =>
        new(Options.Create(new ReaderOptions()), Options.Create(options ?? new ContainerOptions()));

    private static void AssertPart(EmbeddedFile part, string name, string original)
    {
        var bytes = File.ReadAllBytes(original);
        Assert.Equal(name, part.Name);
        Assert.Equal(bytes.Length, part.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), part.Sha256);
        Assert.Equal(bytes, File.ReadAllBytes(part.StagedPath!));
    }
}
