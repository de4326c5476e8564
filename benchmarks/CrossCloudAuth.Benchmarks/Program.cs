using BenchmarkDotNet.Running;

// Runs the benchmarks named on the command line (BenchmarkDotNet's --filter), e.g.
//   dotnet run -c Release --project benchmarks/CrossCloudAuth.Benchmarks -- --filter '*'
// See benchmarks/README.md for the command that regenerates the committed reports.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
