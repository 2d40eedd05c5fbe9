using Microsoft.Extensions.Options;

namespace Annotate.Worker.Isolation;

/// <summary>Checks what data annotations cannot: positive durations and a recycle threshold below the memory cap.</summary>
public sealed class IsolationOptionsValidator : IValidateOptions<IsolationOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, IsolationOptions options)
    {
        var errors = new List<string>();
        if (options.RecycleAboveMegabytes >= options.MemoryCapMegabytes)
        {
            errors.Add($"{IsolationOptions.Section}:RecycleAboveMegabytes ({options.RecycleAboveMegabytes}) must be below MemoryCapMegabytes ({options.MemoryCapMegabytes}).");
        }
        foreach (var (setting, value) in new[]
        {
            (nameof(options.HeartbeatTimeout), options.HeartbeatTimeout),
            (nameof(options.StartTimeout), options.StartTimeout),
            (nameof(options.CancelGrace), options.CancelGrace),
            (nameof(options.HeartbeatInterval), options.HeartbeatInterval),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{IsolationOptions.Section}:{setting} must be positive.");
            }
        }
        if (options.HeartbeatInterval > TimeSpan.Zero && options.HeartbeatTimeout > TimeSpan.Zero && options.HeartbeatTimeout < 3 * options.HeartbeatInterval)
        {
            errors.Add($"{IsolationOptions.Section}:HeartbeatTimeout must be at least three times HeartbeatInterval ({options.HeartbeatInterval}).");
        }
        if (options.ReleaseCachesAfter < TimeSpan.Zero)
        {
            errors.Add($"{IsolationOptions.Section}:ReleaseCachesAfter must not be negative (zero never releases).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
