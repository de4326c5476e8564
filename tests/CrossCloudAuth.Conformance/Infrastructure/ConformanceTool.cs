namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>A third-party tool the conformance tests drive.</summary>
public enum ConformanceTool
{
    /// <summary><c>python3 -m moto.server</c> (moto 5.x with its server extra), the AWS emulator.</summary>
    Moto,

    /// <summary>botocore (Python), used as an independent SigV4 implementation.</summary>
    Botocore,

    /// <summary>The AWS CLI (<c>aws</c>).</summary>
    AwsCli,

    /// <summary>The Google Cloud SDK (<c>gcloud</c>).</summary>
    Gcloud,

    /// <summary>Node.js with the pinned <c>google-auth-library</c> installed by <c>npm ci</c> in the node harness folder.</summary>
    NodeAuthLibrary,
}
