using System.Collections.Concurrent;
using MassTransit;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>A started in-memory bus that records every message published through it, by the time Publish returns.</summary>
public sealed class PublishedMessages : IPublishObserver, IAsyncDisposable
{
    private readonly ConcurrentQueue<object> _messages = new();
    private readonly IBusControl _bus;

    private PublishedMessages()
    {
        _bus = MassTransit.Bus.Factory.CreateUsingInMemory(_ => { });
        _bus.ConnectPublishObserver(this);
    }

    public IBus Bus => _bus;

    public static async Task<PublishedMessages> StartAsync()
    {
        var published = new PublishedMessages();
        await published._bus.StartAsync();
        return published;
    }

    public IReadOnlyList<T> Of<T>() where T : class => _messages.OfType<T>().ToList();

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        _messages.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
