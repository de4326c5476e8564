using System.Net;
using System.Text;
using CrossCloudAuth.Testing.Faults;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrossCloudAuth.Testing.Hosting;

/// <summary>
/// Kestrel on 127.0.0.1 with one listener per emulated service. Buffers each request, applies fault
/// injection, calls the service, records the exchange and writes the response.
/// </summary>
internal sealed class EmulatorHost : IAsyncDisposable
{
    internal const int MaxRequestBodyBytes = 1024 * 1024;

    private readonly Dictionary<EmulatedService, IEmulatedEndpoint> _endpoints = [];
    private readonly Dictionary<EmulatedService, ListenOptions> _listeners = [];
    private readonly Dictionary<int, IEmulatedEndpoint> _byPort = [];
    private readonly FaultInjector _faults;
    private readonly RequestLog _log;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyDictionary<EmulatedService, int> _requestedPorts;
    private WebApplication? _app;

    public EmulatorHost(FaultInjector faults, RequestLog log, TimeProvider clock, IReadOnlyDictionary<EmulatedService, int> requestedPorts)
    {
        _faults = faults;
        _log = log;
        _clock = clock;
        _requestedPorts = requestedPorts;
    }

    public async Task StartAsync(IReadOnlyList<IEmulatedEndpoint> endpoints, CancellationToken cancellationToken)
    {
        foreach (IEmulatedEndpoint endpoint in endpoints)
        {
            _endpoints[endpoint.Service] = endpoint;
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            foreach (EmulatedService service in _endpoints.Keys)
            {
                int port = _requestedPorts.TryGetValue(service, out int p) ? p : 0;
                kestrel.Listen(IPAddress.Loopback, port, listen => _listeners[service] = listen);
            }
        });

        WebApplication app = builder.Build();
        app.Run(DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        foreach ((EmulatedService service, ListenOptions listen) in _listeners)
        {
            _byPort[listen.IPEndPoint!.Port] = _endpoints[service];
        }
    }

    public Uri BaseAddress(EmulatedService service) =>
        new($"http://127.0.0.1:{_listeners[service].IPEndPoint!.Port}/");

    /// <summary>Runs a request through a service in process, bypassing HTTP and fault injection.</summary>
    public ValueTask<EmulatorResponse> InvokeAsync(EmulatedService service, EmulatorRequest request, CancellationToken cancellationToken) =>
        _endpoints[service].HandleAsync(request, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), TimeProvider.System);
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                await _app.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private async Task DispatchAsync(HttpContext context)
    {
        if (!_byPort.TryGetValue(context.Connection.LocalPort, out IEmulatedEndpoint? endpoint))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        CancellationToken cancellationToken = linked.Token;

        // Kestrel's limit is the default; a service that takes larger bodies (Storage uploads) raises it for its own requests.
        if (endpoint.MaxRequestBodyBytes != MaxRequestBodyBytes && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = endpoint.MaxRequestBodyBytes;
        }

        EmulatorRequest request;
        try
        {
            request = await ReadRequestAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync($"The request body exceeds the emulated {endpoint.Service}'s limit of {endpoint.MaxRequestBodyBytes} bytes.", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        RecordedRequest record = Record(endpoint.Service, request);
        Fault? fault = _faults.Next(endpoint.Service, request.Path);
        record.Fault = fault;

        try
        {
            if (fault is not null && await ApplyPreFaultAsync(context, fault, record, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            EmulatorResponse response = await endpoint.HandleAsync(request, cancellationToken).ConfigureAwait(false);
            record.ErrorCode = response.Headers.TryGetValue(ErrorCodeHeader, out string? code) ? code : null;
            response.Headers.Remove(ErrorCodeHeader);
            await WriteAsync(context, response, fault, record, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Abort();
        }
#pragma warning disable CA1031 // A bug in one emulated service must surface as a 500 the test can see, not a dead connection.
        catch (Exception ex) when (!context.Response.HasStarted)
#pragma warning restore CA1031
        {
            record.StatusCode = HttpStatusCode.InternalServerError;
            record.ErrorCode = "EmulatorError";
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync($"The emulated {endpoint.Service} failed: {ex.GetType().Name}: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>An internal header a service sets to name its error code in the request log; never sent.</summary>
    internal const string ErrorCodeHeader = "X-Emulator-Error-Code";

    private static async Task<EmulatorRequest> ReadRequestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in context.Request.Headers)
        {
            headers[header.Key] = string.Join(',', header.Value.ToArray());
        }

        string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget
            ?? (context.Request.Path + context.Request.QueryString).ToString();
        return new EmulatorRequest(context.Request.Method, rawTarget, headers, body.ToArray());
    }

    private RecordedRequest Record(EmulatedService service, EmulatorRequest request)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string? key in request.Form.AllKeys)
        {
            if (key is not null)
            {
                form[key] = request.Form[key] ?? string.Empty;
            }
        }

        // Storage uploads may be many MiB: the log keeps their size, not their bytes.
        string body = request.Body.Length > MaxRequestBodyBytes ? $"[{request.Body.Length} bytes]" : request.BodyText;
        var record = new RecordedRequest(service, _clock.GetUtcNow(), request.Method, request.Path, request.RawQuery, request.Headers, body, form);
        _log.Add(record);
        return record;
    }

    /// <summary>Applies faults that replace the service entirely; returns true when the request is done.</summary>
    private static async Task<bool> ApplyPreFaultAsync(HttpContext context, Fault fault, RecordedRequest record, CancellationToken cancellationToken)
    {
        switch (fault.Kind)
        {
            case FaultKind.Delay:
                await Task.Delay(fault.Duration, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                return false;
            case FaultKind.Hang:
                try
                {
                    await Task.Delay(fault.Duration, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    context.Abort();
                }

                return true;
            case FaultKind.DropConnection:
                context.Abort();
                return true;
            case FaultKind.ResetConnection:
                Reset(context);
                return true;
            case FaultKind.EndlessBody:
                await WriteEndlessAsync(context, record, cancellationToken).ConfigureAwait(false);
                return true;
            case FaultKind.Status:
                context.Response.StatusCode = (int)fault.StatusCode;
                if (fault.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                context.Response.ContentType = "text/plain";
                record.StatusCode = fault.StatusCode;
                record.ErrorCode = "InjectedFault";
                await context.Response.WriteAsync(fault.Body ?? $"Injected fault: HTTP {(int)fault.StatusCode}.", cancellationToken).ConfigureAwait(false);
                return true;
            case FaultKind.OversizedBody:
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = fault.Size;
                record.StatusCode = HttpStatusCode.OK;
                byte[] chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                chunk[0] = (byte)'{';
                int remaining = fault.Size;
                while (remaining > 0)
                {
                    int count = Math.Min(remaining, chunk.Length);
                    await context.Response.Body.WriteAsync(chunk.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                    chunk[0] = (byte)' ';
                    remaining -= count;
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Resets the connection: linger 0 makes closing the socket send a TCP RST instead of a FIN.</summary>
    private static void Reset(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is Socket socket)
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
            socket.Close();
        }

        context.Abort();
    }

    /// <summary>Streams JSON-looking filler until the client goes away or the emulator stops; each write waits
    /// asynchronously on the client's flow control, so a client that stops reading holds no thread.</summary>
    private static async Task WriteEndlessAsync(HttpContext context, RecordedRequest record, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        record.StatusCode = HttpStatusCode.OK;
        await context.Response.Body.WriteAsync("{\"filler\":\""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        byte[] chunk = Encoding.ASCII.GetBytes(new string('a', 16 * 1024));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The client went away: the end an endless body waits for.
        }

        context.Abort();
    }

    private async Task WriteAsync(HttpContext context, EmulatorResponse response, Fault? fault, RecordedRequest record, CancellationToken cancellationToken)
    {
        byte[] body = response.Body;
        if (fault?.Kind == FaultKind.MalformedBody)
        {
            body = Encoding.UTF8.GetBytes("<html><body>{\"unterminated\": \u00e9</body");
        }

        bool success = (int)response.StatusCode is >= 200 and < 300;
        if (fault?.Kind is FaultKind.TokenLifetime or FaultKind.MissingExpiry && success)
        {
            body = ExpiryRewriter.Rewrite(body, response.ContentType, fault, _clock.GetUtcNow());
        }

        context.Response.StatusCode = fault?.Kind == FaultKind.MalformedBody ? StatusCodes.Status200OK : (int)response.StatusCode;
        context.Response.ContentType = fault?.Kind == FaultKind.WrongContentType ? fault.ContentType : response.ContentType;
        foreach ((string name, string value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        record.StatusCode = (HttpStatusCode)context.Response.StatusCode;
        record.ResponseBody = body.Length > MaxRequestBodyBytes ? $"[{body.Length} bytes]" : Encoding.UTF8.GetString(body);
        if (fault?.Kind == FaultKind.TruncatedBody)
        {
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            context.Abort();
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status204NoContent)
        {
            return; // No Content-Length and no body on a 204 (Storage's delete).
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
