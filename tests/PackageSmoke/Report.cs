namespace PackageSmoke;

/// <summary>Prints one "package smoke:" line per check and turns the failures into the exit code.</summary>
internal sealed class Report
{
    private int _failures;

    public void Pass(string message) => Console.WriteLine($"package smoke: ok   {message}");

    public void Fail(string message)
    {
        _failures++;
        Console.WriteLine($"package smoke: FAIL {message}");
    }

    public int Finish()
    {
        Console.WriteLine(_failures == 0 ? "package smoke: app passed" : $"package smoke: app found {_failures} failure(s)");
        return _failures == 0 ? 0 : 1;
    }
}
