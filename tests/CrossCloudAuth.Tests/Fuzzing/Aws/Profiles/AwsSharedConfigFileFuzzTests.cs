using System.Text;
using CrossCloudAuth.Aws;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Aws.Profiles;

/// <summary>The AWS shared config and credentials files.</summary>
public sealed class AwsSharedConfigFileFuzzTests
{
    private static readonly Gen<string> s_word = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789_-"], 1, 20].Select(w => "k" + w);

    private static readonly Gen<string> s_value = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/+=._-@"], 1, 60];

    private static readonly Gen<Dictionary<string, Dictionary<string, string>>> s_profiles =
        s_word.Select(name => name.Replace('k', 'p')).Dictionary(s_word.Dictionary(s_value)[1, 6])[0, 6];

    private static readonly Gen<string> s_lines = Gen.OneOf(
        "[default]", "[profile x]", "[profile]", "[profile  ]", "[x", "]", "[]", "[sso-session s]", "[services s]", "key=value", "key =", "  nested = 1",
        "=value", "# comment", "; comment", "key = value # comment", "key = a;b", "\tindented=1", "role_arn = arn:aws:iam::1:role/r", "\0", "\r", "[profile \u2028 y]",
        "source_profile=default", "web_identity_token_file=/t", "KEY = Upper");

    private static readonly Gen<string> s_hostile = Gen.OneOf(
        Hostile.Text,
        s_lines.Array[0, 40].Select(lines => string.Join('\n', lines)),
        from lines in s_lines.Array[0, 40] from breaks in Gen.OneOf("\n", "\r\n", "\r", "\u2028", "\u0085", "\f") select string.Join(breaks, lines),
        Gen.Int[1, 50_000].Select(n => "[profile " + new string('a', n) + "]\nk=" + new string('=', n)));

    [Fact]
    public void Parse_HostileText_NeverThrowsAndReturnsNoMoreThanItRead() =>
        Fuzz.Check(from text in s_hostile from config in Gen.Bool select (text, config), input =>
        {
            Assert.True(Expect.Parses(() => AwsSharedConfigFile.Parse(input.text, input.config), input.text.Length, out Dictionary<string, Dictionary<string, string>>? profiles));

            long size = profiles!.Sum(p => p.Key.Length + p.Value.Sum(kv => kv.Key.Length + kv.Value.Length));
            Assert.True(size <= input.text.Length, $"{size} characters out of {input.text.Length}");
        }, baseCount: 500, print: input => input.text);

    [Fact]
    public void Parse_RenderedProfiles_RoundTrip() =>
        Fuzz.Check(from profiles in s_profiles from config in Gen.Bool from crlf in Gen.Bool select (profiles, config, crlf), input =>
        {
            string newline = input.crlf ? "\r\n" : "\n";
            StringBuilder text = new();
            foreach ((string name, Dictionary<string, string> keys) in input.profiles)
            {
                text.Append(input.config ? $"[profile {name}]" : $"[{name}]").Append(newline);
                foreach ((string key, string value) in keys)
                {
                    text.Append($"{key} = {value}").Append(newline);
                }

                text.Append("# a comment").Append(newline).Append(newline);
            }

            Dictionary<string, Dictionary<string, string>> parsed = AwsSharedConfigFile.Parse(text.ToString(), input.config);

            Assert.Equal(input.profiles.Count, parsed.Count);
            foreach ((string name, Dictionary<string, string> keys) in input.profiles)
            {
                Assert.Equal(keys.OrderBy(k => k.Key, StringComparer.Ordinal), parsed[name].OrderBy(k => k.Key, StringComparer.Ordinal));
            }
        }, baseCount: 150);
}
