using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Evaluation;

/// <summary>Registration of the evaluation engine.</summary>
public static class EvaluationServiceCollectionExtensions
{
    /// <summary>Adds <see cref="Evaluator"/>, <see cref="ReferenceReader"/> and their options (<c>Annotate:Eval</c>), and the sentence encoder they compare text with.</summary>
    public static IServiceCollection AddEvaluation(this IServiceCollection services)
    {
        services.AddTextEmbedder();
        services.AddOptions<EvaluationOptions>().BindConfiguration(EvaluationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Evaluator>();
        services.TryAddSingleton(sp => new ReferenceReader(sp.GetRequiredService<IOptions<EvaluationOptions>>().Value));
        return services;
    }
}
