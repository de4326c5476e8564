using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using CrossCloudAuth;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// The peers, set up the way their users get them, each holding a fresh credential so that a call measures
/// their hit path and never a refresh.
/// </summary>
internal static class Peers
{
    /// <summary>The cache options of every benchmark: one process, so no fleet to spread. Its first credential is
    /// refreshed near the end of its life like every later one, and a run measures the steady state.</summary>
    public static readonly CrossCloudAuth.Caching.RefreshAheadCacheOptions OneProcess = new() { SpreadFirstRefresh = false };

    /// <summary>A Google.Apis.Auth service-account credential from an in-memory RSA key, primed once against a fake
    /// token endpoint; afterwards <see cref="ServiceCredential.GetAccessTokenForRequestAsync"/> serves its cached token.</summary>
    public static (ServiceAccountCredential Credential, TokenEndpoint Endpoint) CreateGoogleCredential()
    {
        TokenEndpoint endpoint = new();
        ServiceAccountCredential credential = new(new ServiceAccountCredential.Initializer("bench@project.iam.gserviceaccount.com")
        {
            Key = RSA.Create(2048),
            Scopes = ["https://www.googleapis.com/auth/cloud-platform"],
            HttpClientFactory = endpoint,
        });
        string token = credential.GetAccessTokenForRequestAsync().GetAwaiter().GetResult();
        if (token != TokenEndpoint.AccessToken || endpoint.Calls != 1)
        {
            throw new InvalidOperationException("The Google credential was not primed with one token request.");
        }

        return (credential, endpoint);
    }

    /// <summary>Answers Google's OAuth token endpoint with a one-hour token and counts the requests.</summary>
    internal sealed class TokenEndpoint : global::Google.Apis.Http.HttpClientFactory
    {
        public const string AccessToken = "ya29.benchmark-token";
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new Handler(this);

        private sealed class Handler(TokenEndpoint endpoint) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref endpoint._calls);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent(
                        $$"""{"access_token":"{{AccessToken}}","expires_in":3600,"token_type":"Bearer"}""",
                        Encoding.UTF8,
                        "application/json"),
                });
            }
        }
    }

    /// <summary>The AWS SDK's refreshing credentials, as every SDK credential provider with an expiry derives them,
    /// answering with one-hour session credentials.</summary>
    internal sealed class AwsRefreshingCredentials : RefreshingAWSCredentials
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            Interlocked.Increment(ref _calls);
            return new CredentialsRefreshState(
                new ImmutableCredentials("ASIABENCHMARK", "secret", "session"),
                DateTime.UtcNow.AddHours(1));
        }
    }

    /// <summary>The cache most applications write by hand: a lock around a clock check, refreshing under the lock
    /// when the token is within <c>margin</c> of its expiry. Counts the callers that waited for the upstream: the one
    /// refreshing and those that found the lock held by it.</summary>
    internal sealed class LockingCache(ICredentialProvider<AuthToken> source, TimeProvider time, TimeSpan? margin = null)
    {
        private readonly Lock _gate = new();
        private readonly TimeSpan _margin = margin ?? TimeSpan.FromMinutes(5);
        private AuthToken? _token;
        private volatile bool _refreshing;
        private long _waitedOnRefresh;

        public long WaitedOnRefresh => Volatile.Read(ref _waitedOnRefresh);

        public ValueTask<AuthToken> GetAsync()
        {
            if (!_gate.TryEnter())
            {
                if (_refreshing)
                {
                    Interlocked.Increment(ref _waitedOnRefresh);
                }

                _gate.Enter();
            }

            try
            {
                if (_token is null || time.GetUtcNow() >= _token.ExpiresOn - _margin)
                {
                    _refreshing = true;
                    Interlocked.Increment(ref _waitedOnRefresh); // the refreshing caller waits too
                    _token = source.GetAsync().AsTask().GetAwaiter().GetResult();
                    _refreshing = false;
                }

                return new ValueTask<AuthToken>(_token);
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>A source that answers at once with a token of the given lifetime and counts its calls.</summary>
    internal sealed class InstantSource(TimeProvider time, TimeSpan lifetime) : ICredentialProvider<AuthToken>
    {
        private int _calls;

        public string HopName => "bench:instant";

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
        {
            int call = Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new AuthToken($"token-{call}", time.GetUtcNow() + lifetime));
        }
    }
}
