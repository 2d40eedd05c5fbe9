using Annotate.Bench;

// Measurements, not tests: run with -c Release, e.g.
//   dotnet run -c Release --project bench/Annotate.Bench -- xlsx --rows 100000
//   dotnet run -c Release --project bench/Annotate.Bench -- pipeline --rows 100000
//   dotnet run -c Release --project bench/Annotate.Bench -- rows --rows 1000000 --pairs 3 --modes read,pipeline,pipeline-reparse
//   dotnet run -c Release --project bench/Annotate.Bench -- docx-hostile [--case NAME] [--keep]
//   dotnet run -c Release --project bench/Annotate.Bench -- hostile [--pipeline] [--case NAME] [--keep]
//   dotnet run -c Release --project bench/Annotate.Bench -- isolation [--documents N] [--concurrency C] [--crashes K] [--model PATH]
//   dotnet run -c Release --project bench/Annotate.Bench -- embedding [--corpus FOLDER] [--corpus-only] [--chunks] [--settings]
//   dotnet run -c Release --project bench/Annotate.Bench -- language [FILE ...] [--corpus FOLDER] [--samples 2000,1000,500] [--rounds R]
//   dotnet run -c Release --project bench/Annotate.Bench -- summary FILE... [--rounds R] [--candidates N,M]
//   dotnet run -c Release --project bench/Annotate.Bench -- lingua FILE... [--min-length 300] [--texts 2000] [--rounds 5] [--low-accuracy]
//   dotnet run -c Release --project bench/Annotate.Bench -- ocr [--pages N] [--rounds R] [--dpi D]
//   dotnet run -c Release --project bench/Annotate.Bench -- service --gateway NAME=PATH/Annotate.Gateway.dll [--gateway ...] [--rounds R] [--documents N] [--settle S] [--first-after S] [--pdf FILE | --file FILE | --pages N [--text FILE]] [--pdftotext [--settle-time S]] [--peak]
//   dotnet run -c Release --project bench/Annotate.Bench -- blob-index [--documents 1000,5000,20000] [--rounds R]
//   dotnet run -c Release --project bench/Annotate.Bench -- pdf-phases FILE [--generate CORPUS | --generate-text TEXT]
//   dotnet run -c Release --project bench/Annotate.Bench -- pdf [--pages N] [--rounds R] [--cold K] [--threads T] [--corpus FOLDER]
return args.FirstOrDefault() switch
{
    "xlsx" => XlsxBenchmark.Run(args[1..]),
    "pipeline" => await PipelineBenchmark.RunAsync(args[1..]),
    "rows" => RowsBenchmark.Run(args[1..]),
    RowsBenchmark.ChildCommand => await RowsBenchmark.RunOnceAsync(args[1..]),
    "isolation" => await IsolationBenchmark.RunAsync(args[1..]),
    "embedding" => await EmbeddingBenchmark.RunAsync(args[1..]),
    "language" => await LanguageBenchmark.RunAsync(args[1..]),
    "lingua" => LinguaBenchmark.Run(args[1..]),
    "summary" => await SummaryBenchmark.RunAsync(args[1..]),
    "ocr" => await OcrBenchmark.RunAsync(args[1..]),
    "pdf" => await PdfBenchmark.RunAsync(args[1..]),
    "pdf-phases" => PdfPhases.Run(args[1..]),
    "service" => ServiceBenchmark.Run(args[1..]),
    "blob-index" => await BlobIndexBenchmark.RunAsync(args[1..]),
    PdfBenchmark.OnceCommand => await PdfBenchmark.OnceAsync(args[1..]),
    XlsxBenchmark.ReadCommand => XlsxBenchmark.ReadOnce(args[1..]),
    "docx-hostile" => DocxHostileBenchmark.Run(args[1..]),
    DocxHostileBenchmark.ReadCommand => DocxHostileBenchmark.ReadOnce(args[1..]),
    "hostile" => HostileBenchmark.Run(args[1..]),
    HostileBenchmark.RunCommand => HostileBenchmark.RunOnce(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Annotate.Bench xlsx [--rows N] [--keep] | pipeline [--rows N] | rows [--rows N] [--pairs K] [--modes read,pipeline,pipeline-reparse] | hostile [--pipeline] [--case NAME] [--keep] | docx-hostile [--case NAME] [--keep] | isolation [--documents N] [--concurrency C] [--crashes K] [--model PATH] | embedding [--corpus FOLDER] [--corpus-only] [--chunks] [--settings] | language [FILE ...] [--corpus FOLDER] [--samples 2000,1000,500] [--rounds R] | summary FILE... [--rounds R] [--candidates N,M] | lingua FILE... [--min-length N] [--texts N] [--rounds R] [--low-accuracy] | ocr [--pages N] [--rounds R] [--dpi D] [--jpeg] [--no-deskew] | pdf [--pages N] [--rounds R] [--cold K] [--threads T] [--corpus FOLDER] | blob-index [--documents 1000,5000,20000] [--rounds R] | pdf-phases FILE [--generate CORPUS | --generate-text TEXT] | service --gateway NAME=PATH [--gateway ...] [--env NAME:KEY=VALUE ...] [--rounds R] [--documents N] [--settle S] [--first-after S] [--pdf FILE | --file FILE | --pages N [--text FILE]] [--pdftotext [--settle-time S]] [--peak]");
    return 2;
}
