using CrossCloudAuth.Samples.Quickstart;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await QuickstartRunner.RunAsync(args, Console.Out, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (Exception e)
{
    // The emulator could not start or the layout could not be written: say what and where.
    Console.Error.WriteLine($"The quickstart could not run: {e.GetType().Name}: {e.Message}");
    return 1;
}
