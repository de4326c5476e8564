using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Platform;

/// <summary>
/// What every hop takes from the process: the clock, where logs go, the HTTP client and where variables and files
/// are read. The one way to give them: the last, optional parameter of every source's constructor and every entry
/// point (<c>AwsCredentialChain.FromDefault</c>, <c>GoogleFederatedCredential.Create</c>, …); hops built from one
/// another share it. Hop-specific settings (endpoints, timeouts, retries, a hop's own HTTP client) stay in each
/// hop's options and win over the context.
/// </summary>
/// <example>
/// <code>
/// var context = new CredentialContext { LoggerFactory = loggerFactory, TimeProvider = fakeTime };
/// using var aws = AwsCredentialChain.FromDefault(context: context);
/// </code>
/// </example>
/// <remarks>Immutable and thread-safe; share one instance.</remarks>
public sealed class CredentialContext
{
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private readonly ISystemEnvironment _environment = SystemEnvironment.Instance;

    /// <summary>Gets the context of the process: the system clock, no logging, each hop's own HTTP client and the
    /// process's variables and files.</summary>
    public static CredentialContext Default { get; } = new();

    /// <summary>Gets the clock of every cache, deadline, backoff and signature. Default: <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        init => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets where each hop and cache creates its logger (one category per type). Logs never carry a token,
    /// key or signature. Default: no logging.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        init => _loggerFactory = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Gets the client that carries every hop's HTTP requests (AWS STS, instance metadata, the container
    /// endpoint, Google STS and IAM) unless a hop's options set one. Never disposed by the library. Default:
    /// <see langword="null"/>, each hop's own.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Gets where variables and files are read (<c>AWS_REGION</c>, <c>AWS_ROLE_ARN</c>, token files,
    /// profiles, <c>GOOGLE_APPLICATION_CREDENTIALS</c>). Default: the process's.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ISystemEnvironment Environment
    {
        get => _environment;
        init => _environment = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates the logger of <typeparamref name="T"/>'s category.</summary>
    internal ILogger Logger<T>() => _loggerFactory.CreateLogger<T>();
}
