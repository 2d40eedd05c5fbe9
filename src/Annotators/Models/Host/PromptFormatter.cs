using System.Text;
using LLama;
using LLama.Native;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// Turns a system and a user message into prompt tokens with the model's own chat template, and finds the tokens of the
/// system part that requests with the same system text can share.
/// </summary>
internal sealed class PromptFormatter
{
    private readonly LLamaWeights _weights;
    private readonly bool _useTemplate;

    public PromptFormatter(LLamaWeights weights)
    {
        _weights = weights;
        _useTemplate = weights.NativeHandle.GetTemplate(null, strict: false) is not null && TemplateWorks(weights);
    }

    /// <summary>True when prompts go through the GGUF's chat template; false when the plain format is used.</summary>
    public bool HasChatTemplate => _useTemplate;

    /// <summary>The whole prompt as text, and the text of its system part (the shareable prefix).</summary>
    public (string Prompt, string SystemPart) Format(string system, string user)
    {
        if (!_useTemplate)
        {
            // Plain format for models without a template (documented in the README): the system part is a true
            // text prefix of the whole prompt, so it can be shared the same way.
            var systemPart = $"System:\n{system}\n";
            return (systemPart + $"User:\n{user}\nAssistant:\n", systemPart);
        }
        var full = new LLamaTemplate(_weights) { AddAssistant = true };
        full.Add("system", system);
        full.Add("user", user);
        var prefix = new LLamaTemplate(_weights) { AddAssistant = false };
        prefix.Add("system", system);
        return (Encoding.UTF8.GetString(full.Apply()), Encoding.UTF8.GetString(prefix.Apply()));
    }

    /// <summary>Tokens of <paramref name="text"/> as a prompt start: with BOS when the model wants one, special tokens parsed.</summary>
    public LLamaToken[] TokenizePrompt(string text) => _weights.Tokenize(text, add_bos: true, special: true, Encoding.UTF8);

    /// <summary>
    /// How many leading tokens of <paramref name="promptTokens"/> are the system part. Zero when the template does not
    /// put the system text first or when tokenizing the parts separately would give other tokens than the whole prompt
    /// (a merge across the boundary): then sharing would change the model's input, so it is not done.
    /// </summary>
    public int SharedPrefixLength(string prompt, string systemPart, LLamaToken[] promptTokens)
    {
        if (systemPart.Length == 0 || !prompt.StartsWith(systemPart, StringComparison.Ordinal))
        {
            return 0;
        }
        var prefixTokens = TokenizePrompt(systemPart);
        // The rest needs at least one token of its own: the conversation samples after the rest is decoded.
        if (prefixTokens.Length == 0 || prefixTokens.Length >= promptTokens.Length)
        {
            return 0;
        }
        return promptTokens.AsSpan(0, prefixTokens.Length).SequenceEqual(prefixTokens) ? prefixTokens.Length : 0;
    }

    private static bool TemplateWorks(LLamaWeights weights)
    {
        try
        {
            // llama.cpp applies only the templates it knows; a custom Jinja template it cannot run fails here, and
            // the plain format is the better choice than failing every request.
            var probe = new LLamaTemplate(weights) { AddAssistant = true };
            probe.Add("system", "s");
            probe.Add("user", "u");
            return probe.Apply().Length > 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }
}
