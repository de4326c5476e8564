using CrossCloudAuth.Samples.Quickstart;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await QuickstartRunner.RunAsync(args, Console.Out, cancel.Token);
