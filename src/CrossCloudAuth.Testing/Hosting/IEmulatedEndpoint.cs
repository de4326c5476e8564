namespace CrossCloudAuth.Testing.Hosting;

/// <summary>One emulated service: answers buffered requests arriving on its own port.</summary>
internal interface IEmulatedEndpoint
{
    EmulatedService Service { get; }

    /// <summary>Gets the largest request body the service reads; the host answers 413 beyond it.</summary>
    long MaxRequestBodyBytes => EmulatorHost.MaxRequestBodyBytes;

    ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken);
}
