using MassTransit;
using MassTransit.Serialization;

namespace Annotate.Hosting.PlainJson;

/// <summary>
/// After a document event is published (in MassTransit's envelope, which the hosts' own consumers and fault handling
/// read), sends the same event as plain JSON to <see cref="PlainJsonInterface.EventsExchange"/> with its name as the
/// routing key, for systems that do not speak MassTransit.
/// </summary>
public sealed class PlainJsonEventsFilter<T>(IBus bus) : IFilter<PublishContext<T>> where T : class
{
    private static readonly bool IsDocumentEvent =
        typeof(T).Namespace == "Annotate.Messages" && typeof(T).Name.StartsWith("Document", StringComparison.Ordinal);

    private static readonly Uri Exchange = new($"exchange:{PlainJsonInterface.EventsExchange}?type=topic&durable=true");

    private static readonly SystemTextJsonRawMessageSerializer Serializer = new(RawSerializerOptions.AddTransportHeaders);

    /// <inheritdoc />
    public async Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        await next.Send(context);
        if (!IsDocumentEvent)
        {
            return;
        }
        var endpoint = await bus.GetSendEndpoint(Exchange);
        await endpoint.Send(context.Message, copy =>
        {
            copy.Serializer = Serializer;
            copy.CorrelationId = context.CorrelationId;
            copy.SetRoutingKey(typeof(T).Name);
        }, context.CancellationToken);
    }

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("plainJsonEvents");
}
