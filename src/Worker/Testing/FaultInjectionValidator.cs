using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Testing;

/// <summary>Refuses <see cref="FaultInjectionOptions.Enabled"/> in the Production environment, so the hook can never crash a real service.</summary>
public sealed class FaultInjectionValidator(IHostEnvironment? environment) : IValidateOptions<FaultInjectionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FaultInjectionOptions options) =>
        options.Enabled && (environment is null || environment.IsProduction())
            ? ValidateOptionsResult.Fail($"{FaultInjectionOptions.Section}:Enabled is a test hook and is refused in the Production environment.")
            : ValidateOptionsResult.Success;
}
