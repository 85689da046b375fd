//! AWS SDK clients for a running server: IAM, STS, Organizations and Service Quotas,
//! signing with long-term keys or with temporary credentials, STS unsigned, and STS over
//! TLS trusting a given CA. Every client talks to the server's endpoint in `us-east-1`
//! unless told otherwise; requests the SDKs never send are in `requests`.

use aws_credential_types::Credentials;
use aws_smithy_http_client::tls;

use super::credentials::Keys;
use super::server::Server;

/// A client of the SDK crate `$sdk` for `$endpoint` in `$region` (else `us-east-1`),
/// signing with `$credentials` (an `Option<Credentials>`: `None` signs nothing), over
/// `$http` (else plain HTTP).
macro_rules! sdk_client {
    ($sdk:ident, $endpoint:expr, $credentials:expr) => {
        sdk_client!(
            $sdk,
            $endpoint,
            "us-east-1",
            $credentials,
            aws_smithy_http_client::Builder::new().build_http()
        )
    };
    ($sdk:ident, $endpoint:expr, $region:expr, $credentials:expr, $http:expr) => {{
        let mut config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new($region))
            .endpoint_url($endpoint)
            .http_client($http);
        if let Some(credentials) = $credentials {
            config = config.credentials_provider(credentials);
        }
        $sdk::Client::from_conf(config.build())
    }};
}

/// The SDK's form of `keys`, with the session `token` of temporary credentials.
pub fn sdk_credentials(keys: &Keys, token: Option<&str>) -> Credentials {
    Credentials::new(
        &keys.id,
        &keys.secret,
        token.map(str::to_owned),
        None,
        "gatehouse-test",
    )
}

impl Server {
    /// An IAM client signing with `keys`.
    pub fn iam(&self, keys: &Keys) -> aws_sdk_iam::Client {
        sdk_client!(
            aws_sdk_iam,
            &self.endpoint,
            Some(sdk_credentials(keys, None))
        )
    }

    /// An IAM client signing with temporary credentials.
    pub fn iam_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_iam::Client {
        sdk_client!(
            aws_sdk_iam,
            &self.endpoint,
            Some(sdk_credentials(keys, Some(token)))
        )
    }

    /// An STS client signing with `keys`.
    pub fn sts(&self, keys: &Keys) -> aws_sdk_sts::Client {
        sdk_client!(
            aws_sdk_sts,
            &self.endpoint,
            Some(sdk_credentials(keys, None))
        )
    }

    /// An STS client signing with temporary credentials.
    pub fn sts_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_sts::Client {
        sdk_client!(
            aws_sdk_sts,
            &self.endpoint,
            Some(sdk_credentials(keys, Some(token)))
        )
    }

    /// An STS client that signs nothing, as the CLI's `--no-sign-request`.
    pub fn sts_unsigned(&self) -> aws_sdk_sts::Client {
        sdk_client!(aws_sdk_sts, &self.endpoint, None::<Credentials>)
    }

    /// An STS client signing with `keys` over TLS (an `https://` endpoint), trusting only
    /// the CA `ca_pem`.
    pub fn sts_trusting(&self, keys: &Keys, ca_pem: &str) -> aws_sdk_sts::Client {
        let tls_context = tls::TlsContext::builder()
            .with_trust_store(tls::TrustStore::empty().with_pem_certificate(ca_pem.as_bytes()))
            .build()
            .unwrap();
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .tls_context(tls_context)
            .build_https();
        let credentials = sdk_credentials(keys, None);
        sdk_client!(
            aws_sdk_sts,
            &self.endpoint,
            "us-east-1",
            Some(credentials),
            https
        )
    }

    /// An Organizations client signing with `keys`.
    pub fn organizations(&self, keys: &Keys) -> aws_sdk_organizations::Client {
        self.organizations_in(keys, "us-east-1")
    }

    /// An Organizations client signing with `keys` for `region` (and so its partition).
    pub fn organizations_in(&self, keys: &Keys, region: &str) -> aws_sdk_organizations::Client {
        let credentials = sdk_credentials(keys, None);
        sdk_client!(
            aws_sdk_organizations,
            &self.endpoint,
            region.to_owned(),
            Some(credentials),
            aws_smithy_http_client::Builder::new().build_http()
        )
    }

    /// An Organizations client signing with temporary credentials.
    pub fn organizations_with_token(
        &self,
        keys: &Keys,
        token: &str,
    ) -> aws_sdk_organizations::Client {
        sdk_client!(
            aws_sdk_organizations,
            &self.endpoint,
            Some(sdk_credentials(keys, Some(token)))
        )
    }

    /// A Service Quotas client signing with `keys`.
    pub fn quotas(&self, keys: &Keys) -> aws_sdk_servicequotas::Client {
        sdk_client!(
            aws_sdk_servicequotas,
            &self.endpoint,
            Some(sdk_credentials(keys, None))
        )
    }
}
