using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>Reads a projected web identity token (a JWT) from its file, bounded, and checks its shape without ever
/// putting it in a message.</summary>
internal static class WebIdentityToken
{
    public const int MaxBytes = 64 * 1024;

    public static string FileHop(string path) => "file:" + path;

    /// <summary>Reads and checks the token. A path that ends with a stray '.' (copied with the sentence's full stop, as
    /// in AWS's cross-account EKS walkthrough) is read without it when only that file exists; the returned path says
    /// which file was read.</summary>
    /// <exception cref="CredentialSourceUnavailableException">The file does not exist (yet).</exception>
    /// <exception cref="CredentialConfigurationException">The file is unreadable, empty, oversized or not a JWT.</exception>
    public static async ValueTask<(string Token, string Path)> ReadAsync(ISystemEnvironment environment, string path, CancellationToken cancellationToken)
    {
        string hop = FileHop(path);
        byte[] bytes;
        try
        {
            bytes = await environment.ReadFileAsync(path, MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException && path.EndsWith('.') && path.TrimEnd('.').Length > 0)
        {
            (string trimmedToken, _) = await ReadAsync(environment, path.TrimEnd('.'), cancellationToken).ConfigureAwait(false);
            return (trimmedToken, path.TrimEnd('.'));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CredentialSourceUnavailableException(
                hop,
                "The web identity token file does not exist. In Kubernetes, check that the pod's service account is annotated with the role (eks.amazonaws.com/role-arn) or that a projected serviceAccountToken volume with audience 'sts.amazonaws.com' is mounted at this path.",
                error);
        }
        catch (UnauthorizedAccessException error)
        {
            throw new CredentialConfigurationException(hop, "The web identity token file is not readable by this process. Give the pod an fsGroup (securityContext.fsGroup) or run as a user that may read the projected volume.", error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialConfigurationException(hop, $"The web identity token file is larger than {MaxBytes} bytes; it is not a projected service-account token.", error);
        }
        catch (IOException error)
        {
            throw new CredentialConfigurationException(hop, $"The web identity token file could not be read ({error.GetType().Name}).", error);
        }

        string token = Encoding.UTF8.GetString(bytes).Trim();
        if (token.Length == 0)
        {
            // Unavailable, not misconfigured: the kubelet may be rewriting the file, as a Google subject token file.
            throw new CredentialSourceUnavailableException(hop, "The web identity token file is empty (a FIFO, device or socket is never read and counts as empty). It should be a regular file holding the projected service-account token (a JWT); if the kubelet is rotating it, the next refresh reads it again.");
        }

        if (!LooksLikeJwt(token))
        {
            throw new CredentialConfigurationException(hop, $"The web identity token file does not hold a JWT (three base64url parts separated by dots; {token.Length} characters read). Point AWS_WEB_IDENTITY_TOKEN_FILE / web_identity_token_file at the token file itself, not at a directory listing, a path with a typo or a trailing '.'.");
        }

        return (token, path);
    }

    public static bool LooksLikeJwt(string token)
    {
        int dots = 0;
        int segmentLength = 0;
        foreach (char c in token)
        {
            if (c == '.')
            {
                if (segmentLength == 0 && dots < 2)
                {
                    return false;
                }

                dots++;
                segmentLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '=')
            {
                segmentLength++;
            }
            else
            {
                return false;
            }
        }

        // header.payload.signature; an unsigned JWT (empty signature) is not accepted by STS either.
        return dots == 2 && segmentLength > 0;
    }
}
