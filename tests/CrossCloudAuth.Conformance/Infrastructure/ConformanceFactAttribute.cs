namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// A fact that needs third-party tools. Without one of them it is skipped with a message naming the tool and how to
/// install it — except under <c>CI=true</c>, where it is never skipped: the test's first line,
/// <see cref="ConformanceTools.Require"/>, then fails with the same message, so CI cannot go green by skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceFactAttribute : FactAttribute
{
    public ConformanceFactAttribute(params ConformanceTool[] tools)
    {
        Tools = tools;
        if (ConformanceEnvironment.IsCI)
        {
            return;
        }

        var missing = tools.Select(ConformanceTools.Get).FirstOrDefault(t => !t.IsAvailable);
        if (missing is not null)
        {
            Skip = missing.MissingMessage;
        }
    }

    public IReadOnlyList<ConformanceTool> Tools { get; }
}

/// <summary>The <see cref="ConformanceFactAttribute"/> of a theory: skipped (not under CI) without its tools.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    public ConformanceTheoryAttribute(params ConformanceTool[] tools)
    {
        Tools = tools;
        if (ConformanceEnvironment.IsCI)
        {
            return;
        }

        var missing = tools.Select(ConformanceTools.Get).FirstOrDefault(t => !t.IsAvailable);
        if (missing is not null)
        {
            Skip = missing.MissingMessage;
        }
    }

    public IReadOnlyList<ConformanceTool> Tools { get; }
}
