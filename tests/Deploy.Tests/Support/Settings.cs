using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Annotate.Annotators.Models;
using Annotate.Gateway;
using Annotate.Hosting;
using Annotate.Hosting.Blobs;
using Annotate.Worker;
using Annotate.Worker.Isolation;
using Microsoft.Extensions.Configuration;

namespace Annotate.Deploy.Tests.Support;

/// <summary>
/// The settings the services read: every option class of the hosts and the engine (a class with a <c>Section</c>
/// constant), found by reflection, so a setting the recipes name can be checked against the code, not a copy of it.
/// </summary>
public static class Settings
{
    private static readonly Assembly[] Assemblies =
        [typeof(ModelOptions).Assembly, typeof(BusOptions).Assembly, typeof(WorkerOptions).Assembly, typeof(GatewayOptions).Assembly];

    /// <summary>Configuration section → option class.</summary>
    public static IReadOnlyDictionary<string, Type> Sections { get; } = Assemblies
        .SelectMany(a => a.GetTypes())
        .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
        .ToDictionary(x => (string)x.Field!.GetRawConstantValue()!, x => x.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration key of an environment variable (<c>Annotate__Bus__Host</c> → <c>Annotate:Bus:Host</c>).</summary>
    public static string Key(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>Null when <paramref name="key"/> names a property of an option class, else why not.</summary>
    public static string? Problem(string key)
    {
        var section = Sections.Keys.Where(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)).MaxBy(s => s.Length);
        if (section is null)
        {
            return $"{key}: no option class reads the section";
        }
        var type = Sections[section];
        foreach (var step in key[(section.Length + 1)..].Split(':'))
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
            }
            else if (type.IsArray || (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string)))
            {
                if (!int.TryParse(step, out _))
                {
                    return $"{key}: '{step}' is not an index of {type.Name}";
                }
                type = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            }
            else
            {
                var property = type.GetProperty(step, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null || !property.CanWrite)
                {
                    return $"{key}: {type.Name} has no setting '{step}'";
                }
                type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            }
        }
        return null;
    }

    /// <summary>The configuration a process with <paramref name="environment"/> and <paramref name="arguments"/> reads (beside the defaults of the code).</summary>
    /// <remarks>As the hosts load them: <c>ASPNETCORE_</c> and <c>DOTNET_</c> variables also without their prefix.</remarks>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> environment, IEnumerable<string>? arguments = null) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(Key(e.Key), e.Value)))
            .AddInMemoryCollection(environment
                .Where(e => e.Key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || e.Key.StartsWith("DOTNET_", StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string?>(Key(e.Key[(e.Key.IndexOf('_', StringComparison.Ordinal) + 1)..]), e.Value)))
            .AddCommandLine((arguments ?? []).ToArray())
            .Build();

    /// <summary>The option class bound from <paramref name="configuration"/>, as the host binds it.</summary>
    public static T Bind<T>(IConfiguration configuration) where T : new()
    {
        var section = Sections.Single(s => s.Value == typeof(T)).Key;
        return configuration.GetSection(section).Get<T>() ?? new T();
    }

    /// <summary>
    /// What the host's own validation says of <paramref name="configuration"/>: data annotations of every option class
    /// it binds, and the validators of the worker's time limits (against the broker's timeout) and of isolation.
    /// </summary>
    public static List<string> Failures(IConfiguration configuration, params Type[] optionTypes)
    {
        var failures = new List<string>();
        foreach (var type in optionTypes)
        {
            var section = Sections.Single(s => s.Value == type).Key;
            var options = configuration.GetSection(section).Get(type) ?? Activator.CreateInstance(type)!;
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"{section}: {r.ErrorMessage}"));
            }
        }
        if (optionTypes.Contains(typeof(WorkerOptions)))
        {
            var worker = new WorkerOptionsValidator(configuration).Validate(null, Bind<WorkerOptions>(configuration));
            failures.AddRange(worker.Failures ?? []);
            var isolation = new IsolationOptionsValidator().Validate(null, Bind<IsolationOptions>(configuration));
            failures.AddRange(isolation.Failures ?? []);
        }
        return failures;
    }

    /// <summary>The option classes a gateway on RabbitMQ binds (no engine: it runs no worker).</summary>
    public static readonly Type[] Gateway = [typeof(BusOptions), typeof(BlobStoreOptions), typeof(GatewayOptions), typeof(Annotate.Gateway.Storage.StateStoreOptions)];

    /// <summary>The option classes a standalone worker binds.</summary>
    public static readonly Type[] Worker = [typeof(BusOptions), typeof(BlobStoreOptions), typeof(WorkerOptions), typeof(IsolationOptions), typeof(ModelOptions)];
}
