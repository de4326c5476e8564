using System.Diagnostics;

namespace CrossCloudAuth.Platform;

/// <summary>Runs a program and collects its standard output; the seam that lets tests script executables.</summary>
internal interface IProcessRunner
{
    /// <summary>Runs the program to completion or kills it (with its children) at the deadline.</summary>
    /// <exception cref="TimeoutException">The program ran past <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidDataException">The program printed more than <paramref name="maxOutputBytes"/>.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    Task<ProcessResult> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout, int maxOutputBytes, TimeProvider timeProvider, CancellationToken cancellationToken);
}

/// <summary>What a finished program left.</summary>
internal readonly record struct ProcessResult(int ExitCode, byte[] StandardOutput);
