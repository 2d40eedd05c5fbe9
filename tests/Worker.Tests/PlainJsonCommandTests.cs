using Annotate.Hosting.PlainJson;
using Annotate.Messages;
using MassTransit;
using MassTransit.Serialization;

namespace Annotate.Worker.Tests;

/// <summary>What MassTransit's raw JSON deserializer (the annotate-requests endpoint's) makes of plain JSON commands.</summary>
public sealed class PlainJsonCommandTests
{
    private static AnnotateDocument? Read(string json)
    {
        PlainJsonInterface.AllowCommandsWithoutSourceUri();
        var serializer = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);
        var context = serializer.Deserialize(new StringMessageBody(json), new DictionarySendHeaders(new Dictionary<string, object?>()));
        return context.TryGetMessage<AnnotateDocument>(out var message) ? message : null;
    }

    [Fact]
    public void A_command_with_inline_content_and_no_sourceUri_deserializes()
    {
        var command = Read("""{ "documentId": "ext-1", "fileName": "memo.txt", "contentBase64": "aGVsbG8=" }""");

        Assert.NotNull(command);
        Assert.Equal("ext-1", command.DocumentId);
        Assert.Equal("aGVsbG8=", command.ContentBase64);
        Assert.True(string.IsNullOrEmpty(command.SourceUri));
    }

    [Fact]
    public void A_command_with_a_blob_reference_deserializes_with_every_field()
    {
        var command = Read("""
            { "documentId": "ext-2", "sourceUri": "blob:sources/ext-2/a.pdf", "fileName": "a.pdf", "profile": "invoice",
              "outputs": ["annotations"], "correlationId": "c-2", "submittedAt": "2024-03-15T09:30:00Z" }
            """);

        Assert.NotNull(command);
        Assert.Equal("blob:sources/ext-2/a.pdf", command.SourceUri);
        Assert.Equal("invoice", command.Profile);
        Assert.Equal(["annotations"], command.Outputs);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 9, 30, 0, TimeSpan.Zero), command.SubmittedAt);
    }

    [Fact]
    public void Other_required_fields_stay_required()
    {
        Assert.ThrowsAny<Exception>(() => Read("""{ "documentId": "ext-3", "contentBase64": "aGVsbG8=" }"""));
    }
}
