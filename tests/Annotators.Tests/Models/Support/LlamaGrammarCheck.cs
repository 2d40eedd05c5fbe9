using System.Runtime.InteropServices;
using LLama;
using LLama.Native;

namespace Annotate.Annotators.Tests.Models.Support;

/// <summary>
/// Asks the bundled llama.cpp whether it accepts a GBNF grammar. LLamaSharp's <c>AddGrammar</c> adds whatever
/// <c>llama_sampler_init_grammar</c> returns, even the null it returns for a grammar it rejects (which later crashes the
/// sampler), so the native function is called directly, through the library LLamaSharp itself loaded.
/// </summary>
public static class LlamaGrammarCheck
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr ModelGetVocab(IntPtr model);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr SamplerInitGrammar(IntPtr vocab, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SamplerFree(IntPtr sampler);

    private static readonly Lazy<(ModelGetVocab GetVocab, SamplerInitGrammar Init, SamplerFree Free)> Native = new(() =>
    {
        // Goes through LLamaSharp's DllImport resolver, so this is the same libllama the model runs on.
        var library = NativeLibrary.Load("llama", typeof(NativeApi).Assembly, null);
        return (
            Marshal.GetDelegateForFunctionPointer<ModelGetVocab>(NativeLibrary.GetExport(library, "llama_model_get_vocab")),
            Marshal.GetDelegateForFunctionPointer<SamplerInitGrammar>(NativeLibrary.GetExport(library, "llama_sampler_init_grammar")),
            Marshal.GetDelegateForFunctionPointer<SamplerFree>(NativeLibrary.GetExport(library, "llama_sampler_free")));
    });

    /// <summary>True when llama.cpp parses <paramref name="gbnf"/> into a grammar sampler for <paramref name="weights"/>.</summary>
    public static bool Accepts(LLamaWeights weights, string gbnf, string root = "root")
    {
        var (getVocab, init, free) = Native.Value;
        var vocab = getVocab(weights.NativeHandle.DangerousGetHandle());
        var sampler = init(vocab, gbnf, root);
        if (sampler == IntPtr.Zero)
        {
            return false;
        }
        free(sampler);
        return true;
    }
}
