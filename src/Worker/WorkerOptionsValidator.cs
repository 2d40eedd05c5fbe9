using System.Globalization;
using Annotate.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Annotate.Worker;

/// <summary>
/// Checks the worker's time settings against each other and, on RabbitMQ, against the broker's consumer acknowledgement
/// timeout: a document that may run longer than the broker waits for its acknowledgement would be taken back by the
/// broker (closing the channel and every other delivery on it) and annotated twice.
/// </summary>
public sealed class WorkerOptionsValidator(IConfiguration configuration) : IValidateOptions<WorkerOptions>
{
    /// <summary>
    /// Room left between the longest a delivery may be held (<see cref="WorkerOptions.DocumentTimeout"/> plus
    /// <see cref="WorkerOptions.ShutdownGrace"/>) and the broker's timeout: after a document is stopped the worker still
    /// publishes its Failed event with publisher confirms and moves the command to the error queue before it acknowledges,
    /// and a busy broker or a reconnecting channel can take seconds to tens of seconds for that.
    /// </summary>
    public static readonly TimeSpan ConsumerTimeoutMargin = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        if (options.DocumentTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{WorkerOptions.Section}:DocumentTimeout must be positive (it is {Format(options.DocumentTimeout)}).");
        }
        if (options.ShutdownGrace < TimeSpan.Zero)
        {
            failures.Add($"{WorkerOptions.Section}:ShutdownGrace must not be negative (it is {Format(options.ShutdownGrace)}).");
        }
        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{WorkerOptions.Section}:RetryDelay must not be negative (it is {Format(options.RetryDelay)}).");
        }
        if (options.RedeliveryDelays.Any(d => d <= TimeSpan.Zero || d.TotalMilliseconds > uint.MaxValue))
        {
            // RabbitMQ's x-message-ttl is an unsigned 32-bit number of milliseconds (about 49 days).
            failures.Add($"{WorkerOptions.Section}:RedeliveryDelays must each be positive and at most 49 days ({string.Join(", ", options.RedeliveryDelays.Select(Format))}).");
        }

        var bus = configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var held = options.DocumentTimeout + options.ShutdownGrace;
        if (bus.UsesRabbitMq && held + ConsumerTimeoutMargin > bus.ConsumerTimeout)
        {
            failures.Add(
                $"{WorkerOptions.Section}:DocumentTimeout ({Format(options.DocumentTimeout)}) plus {WorkerOptions.Section}:ShutdownGrace " +
                $"({Format(options.ShutdownGrace)}) is {Format(held)}, which must stay at least {Format(ConsumerTimeoutMargin)} below " +
                $"{BusOptions.Section}:ConsumerTimeout ({Format(bus.ConsumerTimeout)}), the broker's consumer acknowledgement timeout " +
                "(RabbitMQ's consumer_timeout): the broker would take a document back while it is still being annotated. Lower " +
                "DocumentTimeout or ShutdownGrace, or raise consumer_timeout on the broker and ConsumerTimeout with it.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
