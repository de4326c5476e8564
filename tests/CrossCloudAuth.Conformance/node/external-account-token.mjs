// Google's own Node.js auth library, driven by the conformance tests as a differential peer.
//
// stdin: JSON { "config": <external_account credential configuration>,
//               "scopes": ["..."]                         (optional),
//               "awsSupplier": { "region", "accessKeyId", "secretAccessKey", "token" }  (optional),
//               "subjectTokenOnly": true                  (optional) }
// stdout: JSON { "accessToken", "expiryDate" } or { "subjectToken" }; on failure { "error" } and exit code 1.
//
// With "awsSupplier" the client is an AwsClient built with the library's programmatic
// aws_security_credentials_supplier: ExternalAccountClient.fromJSON only builds an AwsClient when
// credential_source.environment_id is present, so a programmatic AWS source must use the constructor.
import { AwsClient, ExternalAccountClient } from 'google-auth-library';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function createClient(input) {
  const options = { ...input.config };
  if (input.scopes) options.scopes = input.scopes;
  if (input.awsSupplier) {
    const s = input.awsSupplier;
    delete options.credential_source;
    options.aws_security_credentials_supplier = {
      getAwsRegion: async () => s.region,
      getAwsSecurityCredentials: async () => ({
        accessKeyId: s.accessKeyId,
        secretAccessKey: s.secretAccessKey,
        token: s.token,
      }),
    };
    return new AwsClient(options);
  }
  const client = ExternalAccountClient.fromJSON(options);
  if (!client) throw new Error('fromJSON did not recognise the configuration as an external_account');
  return client;
}

try {
  const input = await readStdin();
  const client = createClient(input);
  if (input.subjectTokenOnly) {
    const subjectToken = await client.retrieveSubjectToken();
    process.stdout.write(JSON.stringify({ subjectToken }));
  } else {
    const { token, res } = await client.getAccessToken();
    process.stdout.write(JSON.stringify({ accessToken: token, expiryDate: client.credentials?.expiry_date ?? null }));
  }
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e), status: e?.response?.status ?? null, body: e?.response?.data ?? null }));
  process.exitCode = 1;
}
