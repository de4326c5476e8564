using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// A moto server (<c>python3 -m moto.server -H 127.0.0.1 -p PORT</c>, through <c>python/moto_server.py</c>, which fixes
/// moto's verification of empty-body POSTs; see that file) with the scenario layout of
/// <c>python/moto_bootstrap.py</c>. With <c>authenticate: true</c> request authentication is switched on after the
/// layout exists, by setting moto's <c>INITIAL_NO_AUTH_ACTION_COUNT</c> to 0 through its <c>/moto-api/reset-auth</c>
/// endpoint: from then on moto recomputes every request's SigV4 signature with botocore, answers
/// <c>SignatureDoesNotMatch</c> / <c>InvalidClientTokenId</c> on a bad one, and evaluates the caller's IAM policies.
/// </summary>
/// <remarks>
/// moto 5.2.1 only authenticates header-signed requests: a presigned (query-string) request fails inside moto with
/// <c>KeyError: 'HTTP_AUTHORIZATION'</c> (a 500) when authentication is on, so presigned URLs (EKS tokens) are
/// verified with botocore directly (<see cref="BotocoreSigV4"/>). Unsigned web-identity calls are let through by
/// <c>python/moto_server.py</c>, as AWS lets them through.
/// </remarks>
internal sealed class MotoServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(30);

    private readonly RunningProcess _process;

    private MotoServer(RunningProcess process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public MotoLayout Layout { get; private set; } = null!;

    public bool Authenticates { get; private set; }

    /// <summary>The issuer (host and path, no scheme) the CI account's OIDC provider trusts.</summary>
    public const string OidcIssuer = "oidc.eks.us-east-1.amazonaws.com/id/CONFORMANCE";

    public string Output => _process.Output;

    public static async Task<MotoServer> StartAsync(bool authenticate, CancellationToken cancellationToken = default)
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var process = RunningProcess.Start(new ProcessSpec("python3", [Path.Combine(ConformanceEnvironment.PythonDirectory, "moto_server.py"), "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}"));
            try
            {
                await server.WaitUntilReadyAsync(cancellationToken);
                await server.BootstrapAsync(cancellationToken);
                if (authenticate)
                {
                    await server.SwitchOnAuthenticationAsync(cancellationToken);
                }

                return server;
            }
            catch (Exception) when (attempt < 3 && process.HasExited && !cancellationToken.IsCancellationRequested)
            {
                // Most likely another process took the port between FreePort and moto binding it: try another.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadinessTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto exited before it was ready:\n{_process.Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "/moto-api/"), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                // This probe timed out; the deadline has not.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"moto was not ready within {ReadinessTimeout.TotalSeconds:0}s:\n{_process.Output}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"moto was not ready within {ReadinessTimeout.TotalSeconds:0}s:\n{_process.Output}");
            }
        }
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var result = await ToolProcess.RunAsync(
            new ProcessSpec("python3", [Path.Combine(ConformanceEnvironment.PythonDirectory, "moto_bootstrap.py"), Endpoint.ToString().TrimEnd('/'), OidcIssuer])
            {
                Timeout = TimeSpan.FromSeconds(60),
            },
            cancellationToken);
        result.EnsureSuccess();
        Layout = JsonSerializer.Deserialize<MotoLayout>(result.StandardOutput)
            ?? throw new InvalidOperationException("moto_bootstrap.py printed nothing");
    }

    private async Task SwitchOnAuthenticationAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var body = new StringContent("0", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await http.PostAsync(new Uri(Endpoint, "/moto-api/reset-auth"), body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !text.Contains("\"ok\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"moto refused to switch on authentication: {(int)response.StatusCode} {text}");
        }

        Authenticates = true;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
