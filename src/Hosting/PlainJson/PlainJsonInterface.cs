using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Annotate.Messages;
using MassTransit.Serialization;

namespace Annotate.Hosting.PlainJson;

/// <summary>
/// The names other systems use to talk to Annotate over RabbitMQ in plain JSON (no MassTransit envelope): commands go to
/// the <see cref="CommandQueue"/>, events come out of the <see cref="EventsExchange"/>. The README documents both.
/// </summary>
public static class PlainJsonInterface
{
    /// <summary>
    /// Queue (and fanout exchange of the same name, bound to it) from which workers take <see cref="AnnotateDocument"/>
    /// commands as plain JSON (content type <c>application/json</c>, or none).
    /// </summary>
    public const string CommandQueue = "annotate-requests";

    /// <summary>
    /// Durable topic exchange to which every host publishes a plain JSON copy of each document event; the routing key is
    /// the event's name (<c>DocumentAnnotated</c>, <c>DocumentAnnotationFailed</c>, <c>DocumentAnnotationStarted</c>,
    /// <c>DocumentReceived</c>).
    /// </summary>
    public const string EventsExchange = "annotate-events";

    /// <summary>Content type of plain JSON messages.</summary>
    public const string ContentType = "application/json";

    private static readonly Lock Gate = new();
    private static bool _lenient;

    /// <summary>
    /// Changes MassTransit's JSON options in one way: a command without <c>sourceUri</c> still deserializes (its
    /// <see cref="AnnotateDocument.SourceUri"/> is then null), so plain JSON senders may leave it out when they send
    /// <c>contentBase64</c>, and the worker answers with a Failed event instead of the message going to an error queue
    /// unanswered. The C# contract keeps it required. MassTransit 8 keeps these options process-wide, so this is done
    /// once per process, before a bus is created.
    /// </summary>
    public static void AllowCommandsWithoutSourceUri()
    {
        lock (Gate)
        {
            if (_lenient)
            {
                return;
            }
            var options = SystemTextJsonMessageSerializer.Options;
            // A copy: the options in use may already be read-only.
            SystemTextJsonMessageSerializer.Options = new JsonSerializerOptions(options)
            {
                TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(SourceUriNotRequired),
            };
            _lenient = true;
        }
    }

    private static void SourceUriNotRequired(JsonTypeInfo info)
    {
        if (info.Type != typeof(AnnotateDocument))
        {
            return;
        }
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is PropertyInfo { Name: nameof(AnnotateDocument.SourceUri) })
            {
                property.IsRequired = false;
            }
        }
    }
}
