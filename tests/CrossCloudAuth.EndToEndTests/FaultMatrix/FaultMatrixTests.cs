namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>
/// Every hop × every server fault the emulator injects, with the outcome users get (docs/reliability.md, "Fault
/// matrix"): <c>ok</c> (served; for <c>-once</c> faults a retry recovered), <c>auth-failed:transient</c> /
/// <c>auth-failed:permanent</c> (<see cref="CredentialRequestFailedException"/> and its <c>IsTransient</c>),
/// <c>unavailable</c> (<see cref="CredentialSourceUnavailableException"/>), optionally <c>@hop</c> when another hop is
/// named. Bounded by the hop's deadline on the fake clock, never by real time.
/// </summary>
public sealed class FaultMatrixTests
{
    private const string T = "auth-failed:transient";
    private const string P = "auth-failed:permanent";
    private const string U = "unavailable";

    private static readonly Dictionary<string, Dictionary<string, string>> Expected = new()
    {
        [MatrixHop.ImdsSessionToken] = new()
        {
            ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = U, ["reset"] = U, ["reset-once"] = "ok",
            // The garbage token cannot go into a header: reported against the credentials request that tried to send it.
            ["malformed"] = U + "@aws-imds:credentials", ["truncated"] = U, ["10mb"] = T, ["endless"] = T, ["wrong-content-type"] = "ok",
        },
        [MatrixHop.ImdsCredentials] = new()
        {
            ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = U, ["reset"] = U, ["reset-once"] = "ok",
            ["malformed"] = T, ["truncated"] = U, ["10mb"] = T, ["endless"] = T, ["wrong-content-type"] = "ok",
            ["expired"] = T, ["missing-expiry"] = "ok", ["negative-lifetime"] = T, ["huge-lifetime"] = "ok",
        },
        [MatrixHop.ImdsRegion] = new()
        {
            ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = U, ["reset"] = U, ["reset-once"] = "ok",
            ["malformed"] = P, ["truncated"] = U, ["10mb"] = T, ["endless"] = T, ["wrong-content-type"] = "ok",
        },
        [MatrixHop.Container] = new()
        {
            ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = U, ["reset"] = U, ["reset-once"] = "ok",
            ["malformed"] = T, ["truncated"] = U, ["10mb"] = T, ["endless"] = T, ["wrong-content-type"] = "ok",
            ["expired"] = T, ["missing-expiry"] = "ok", ["negative-lifetime"] = T, ["huge-lifetime"] = "ok",
        },
        [MatrixHop.AssumeRoleWithWebIdentity] = AwsSts(),
        [MatrixHop.AssumeRole] = AwsSts(),
        [MatrixHop.GoogleSts] = new()
        {
            ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = T, ["reset"] = T, ["reset-once"] = "ok",
            ["malformed"] = P, ["truncated"] = T, ["10mb"] = P, ["endless"] = P, ["wrong-content-type"] = "ok",
            ["expired"] = P, ["missing-expiry"] = P, ["negative-lifetime"] = P, ["huge-lifetime"] = "ok",
        },
        [MatrixHop.GenerateAccessToken] = Iam(),
        [MatrixHop.GenerateIdToken] = Iam(),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach ((string hop, Dictionary<string, string> faults) in Expected)
        {
            foreach (string fault in faults.Keys)
            {
                data.Add(hop, fault);
            }
        }

        return data;
    }

    [Fact]
    public void Matrix_CoversEveryHopAndEveryApplicableFault()
    {
        foreach (MatrixHop hop in MatrixHop.All.Values)
        {
            IEnumerable<string> applicable = MatrixFault.All.Values.Where(f => hop.HasExpiry || !f.RewritesExpiry).Select(f => f.Id);
            Assert.Equal(applicable.Order(), Expected[hop.Id].Keys.Order());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hop_UnderServerFault_HasTheTabledOutcome(string hopId, string faultId)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        MatrixFault fault = MatrixFault.All[faultId];
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        string subjectToken = await File.ReadAllTextAsync(world.TokenFile);
        var rule = world.Cloud.Faults.Add(hop.Service, fault.Fault, fault.Times, pathContains: hop.PathContains);

        (string outcome, CrossCloudAuthException? error) = await MatrixRun.OutcomeAsync(world, hop, rule, fault.HoldsRequest);

        string expected = Expected[hopId][faultId];
        string[] parts = expected.Split('@');
        Assert.True(parts[0] == outcome, $"{hopId} × {faultId}: expected {expected}, got {outcome}: {error?.Message}");
        Assert.True(rule.AppliedCount >= 1, "The fault was never applied.");
        if (error is not null)
        {
            Errors.AssertActionable(error, parts.Length > 1 ? parts[1] : hop.HopName, subjectToken, MatrixWorld.PodToken);
        }
    }

    private static Dictionary<string, string> AwsSts() => new()
    {
        // A reset or a body cut short is a transport failure: retried, and transient once the attempts are spent.
        ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = T, ["reset"] = T, ["reset-once"] = "ok",
        // A body past the cap is not retried (the same endpoint would send it again); an answer without the
        // credentials' expiry is not STS's, so it is malformed like any other.
        ["malformed"] = T, ["truncated"] = T, ["10mb"] = P, ["endless"] = P, ["wrong-content-type"] = "ok",
        ["expired"] = T, ["missing-expiry"] = T, ["negative-lifetime"] = T, ["huge-lifetime"] = "ok",
    };

    private static Dictionary<string, string> Iam() => new()
    {
        ["500"] = T, ["503-once"] = "ok", ["503"] = T, ["429-retry-after"] = T, ["hang"] = T, ["reset"] = T, ["reset-once"] = "ok",
        ["malformed"] = P, ["truncated"] = T, ["10mb"] = P, ["endless"] = P, ["wrong-content-type"] = "ok",
        ["expired"] = T, ["missing-expiry"] = P, ["negative-lifetime"] = T, ["huge-lifetime"] = "ok",
    };
}
