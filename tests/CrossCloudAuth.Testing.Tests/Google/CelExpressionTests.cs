using CrossCloudAuth.Testing.Google.Sts;

namespace CrossCloudAuth.Testing.Tests.Google;

public sealed class CelExpressionTests
{
    private static readonly Dictionary<string, object?> Variables = new()
    {
        ["assertion"] = new Dictionary<string, object?>
        {
            ["arn"] = "arn:aws:sts::111122223333:assumed-role/ci-role/build-42",
            ["sub"] = "system:serviceaccount:ci:runner",
            ["kubernetes.io"] = new Dictionary<string, object?> { ["namespace"] = "ci" },
            ["groups"] = new List<object?> { "dev", "ops" },
        },
    };

    [Theory]
    [InlineData("assertion.arn.contains(':assumed-role/ci-role/')", true)]
    [InlineData("assertion.sub == 'system:serviceaccount:ci:runner'", true)]
    [InlineData("assertion.sub != 'x' && !assertion.sub.endsWith('other')", true)]
    [InlineData("assertion['kubernetes.io']['namespace'] in ['ci', 'prod']", true)]
    [InlineData("'ops' in assertion.groups", true)]
    [InlineData("assertion.sub.startsWith('user:') || false", false)]
    [InlineData("(assertion.arn.size() > 0) == true", false)]
    public void Evaluate_Conditions(string expression, bool expected)
    {
        if (expression.Contains('>', StringComparison.Ordinal))
        {
            Assert.Throws<CelException>(() => CelExpression.Parse(expression));
            return;
        }

        Assert.Equal(expected, CelExpression.Parse(expression).Evaluate(Variables));
    }

    [Fact]
    public void Evaluate_GoogleDefaultAwsRoleMapping_YieldsAssumedRoleWithoutSession()
    {
        const string mapping = "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn";

        Assert.Equal("arn:aws:sts::111122223333:assumed-role/ci-role", CelExpression.Parse(mapping).Evaluate(Variables));
    }

    [Theory]
    [InlineData("assertion.arn.contains(")]
    [InlineData("assertion.sub == 'unterminated")]
    [InlineData("assertion.sub ==")]
    public void Parse_Malformed_Throws(string expression) =>
        Assert.Throws<CelException>(() => CelExpression.Parse(expression));

    [Fact]
    public void Evaluate_UnknownVariableOrOverload_Throws()
    {
        Assert.Throws<CelException>(() => CelExpression.Parse("google.subject").Evaluate(Variables));
        Assert.Throws<CelException>(() => CelExpression.Parse("assertion.groups.contains('x')").Evaluate(Variables));
    }
}
