namespace CrossCloudAuth.Testing.Hosting;

/// <summary>One emulated service: answers buffered requests arriving on its own port.</summary>
internal interface IEmulatedEndpoint
{
    EmulatedService Service { get; }

    ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken);
}
